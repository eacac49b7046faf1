import fs from 'node:fs';
import path from 'node:path';

/*
 * The top frames by self time of a V8 CPU profile (node --cpu-prof), so a run can say what bounds the
 * server without opening DevTools. Native SQLite work shows up as the JS frame that called it.
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
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
    const frame = nodes.get(id)!.callFrame;
    const where = frame.url ? `${frame.url.replace(/^file:\/\//, '').split('/node_modules/').at(-1)!.split('/').slice(-3).join('/')}:${frame.lineNumber + 1}` : '';
    const key = `${frame.functionName || '(anonymous)'} ${where}`.trim();
    const dt = profile.timeDeltas[i] ?? 0;
    self.set(key, (self.get(key) ?? 0) + dt);
    total += dt;
  });
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([key, us]) => `${(us / 1000).toFixed(0).padStart(7)} ms ${((100 * us) / total).toFixed(1).padStart(5)}%  ${key}`);
}

/** The profile of the server's main thread in a --cpu-prof directory: the largest file (tsx's loader thread writes a small one). */
export function mainProfile(dir: string): string | null {
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')) : [];
  const sized = files.map((f) => ({ f: path.join(dir, f), size: fs.statSync(path.join(dir, f)).size })).sort((a, b) => b.size - a.size);
  return sized[0]?.f ?? null;
}
