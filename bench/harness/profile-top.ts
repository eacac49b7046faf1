import fs from 'node:fs';
import path from 'node:path';

/*
 * The top frames by self time of a V8 CPU profile (node --cpu-prof), so a run can say what bounds the
 * server without opening DevTools. Native SQLite work shows up as the JS frame that called it.
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Lines "ms  share  function file:line" for the `count` frames with most self time in a profile file. */
export function topFrames(file: string, count = 15): string[] {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const key = frameName(nodes.get(id)!.callFrame);
    const dt = profile.timeDeltas[i] ?? 0;
    self.set(key, (self.get(key) ?? 0) + dt);
    total += dt;
  });
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(
      ([key, us]) => `${(us / 1000).toFixed(0).padStart(7)} ms ${((100 * us) / total).toFixed(1).padStart(5)}%  ${key}`,
    );
}

const frameName = (frame: ProfileNode['callFrame']) => {
  const where = frame.url
    ? `${frame.url
        .replace(/^file:\/\//, '')
        .split('/node_modules/')
        .at(-1)!
        .split('/')
        .slice(-3)
        .join('/')}:${frame.lineNumber + 1}`
    : '';
  return `${frame.functionName || '(anonymous)'} ${where}`.trim();
};

/**
 * Time per server function, each sample charged to the nearest frame of our own code on its stack
 * (server/ or shared/), so SQLite, drizzle and zod time lands on the function that asked for it.
 */
export function topOwnFrames(file: string, count = 15): string[] {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const own = (node: ProfileNode) =>
    /\/(server|shared)\//.test(node.callFrame.url) && !node.callFrame.url.includes('node_modules');
  const charged = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    let node: ProfileNode | undefined = nodes.get(id);
    while (node && !own(node)) node = nodes.get(parent.get(node.id) ?? -1);
    const key = node ? frameName(node.callFrame) : '(outside our code: HTTP, GC, idle)';
    const dt = profile.timeDeltas[i] ?? 0;
    charged.set(key, (charged.get(key) ?? 0) + dt);
    total += dt;
  });
  return [...charged]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(
      ([key, us]) => `${(us / 1000).toFixed(0).padStart(7)} ms ${((100 * us) / total).toFixed(1).padStart(5)}%  ${key}`,
    );
}

/** The profile of the server's main thread in a --cpu-prof directory: the largest file (tsx's loader thread writes a small one). */
export function mainProfile(dir: string): string | null {
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')) : [];
  const sized = files
    .map((f) => ({ f: path.join(dir, f), size: fs.statSync(path.join(dir, f)).size }))
    .sort((a, b) => b.size - a.size);
  return sized[0]?.f ?? null;
}
