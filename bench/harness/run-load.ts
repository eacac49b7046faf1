import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { LoadPlan, PhaseResult } from './load-plan.ts';
import { killOnExit, repoRoot } from './server-process.ts';

/** Load processes still running: killed with the servers when the runner exits, Ctrl-C included. */
const loads = new Set<ChildProcess>();
killOnExit(loads);

/**
 * Runs the load process (bench/harness/load.ts) over a plan written into `dir` and returns its results; killed
 * if it overruns its phases by two minutes.
 */
export function runLoad(plan: LoadPlan, dir: string): Promise<PhaseResult[]> {
  const planFile = path.join(dir, 'load-plan.json');
  fs.writeFileSync(planFile, JSON.stringify(plan));
  const budget = plan.phases.reduce((t, p) => t + p.warmupMs + p.durationMs, 0) + 120_000;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/harness/load.ts', planFile], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    loads.add(child);
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), budget);
    child.on('exit', (code) => {
      clearTimeout(timer);
      loads.delete(child);
      const last = out.trim().split('\n').at(-1);
      if (code === 0 && last) resolve(JSON.parse(last) as PhaseResult[]);
      else reject(new Error(`the load process exited with ${code}`));
    });
  });
}
