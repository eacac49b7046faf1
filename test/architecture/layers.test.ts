import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { houseGraph } from './graph.ts';
import { knownCycleUnits, knownUpwardEdges } from './known-debt.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));

describe('the import graph', () => {
  const graph = houseGraph(repo);

  it('places every folder in a layer', () => {
    expect(graph.unplaced, 'add the folder to test/architecture/layers.ts').toEqual([]);
  });

  it('has no folder cycle beyond the known debt', () => {
    for (const cycle of graph.cycles) {
      const newcomers = cycle.filter((unit) => !knownCycleUnits.includes(unit));
      expect(newcomers, `a new folder cycle: ${cycle.join(', ')}`).toEqual([]);
    }
  });

  it('imports downward only, but for the known debt', () => {
    const fresh = graph.upward.filter((edge) => !knownUpwardEdges.includes(edge));
    expect(fresh.map((e) => `${e} (${graph.edges.get(e)!.from} → ${graph.edges.get(e)!.to})`)).toEqual([]);
  });

  it('lists only debt that still exists, so the list shrinks as it is paid', () => {
    const paid = knownUpwardEdges.filter((edge) => !graph.upward.includes(edge));
    expect(paid, 'remove these from test/architecture/known-debt.ts').toEqual([]);
    const cycleUnits = new Set(graph.cycles.flat());
    expect(
      knownCycleUnits.filter((u) => !cycleUnits.has(u)),
      'remove these from knownCycleUnits',
    ).toEqual([]);
  });

  it('keeps the agent and shared/ free of server code', () => {
    const crossing = [...graph.edges.keys()].filter(
      (e) => /^(shared|agent\/(?!demo)[^ ]*) -> server/.test(e) || /^shared -> agent/.test(e),
    );
    expect(crossing).toEqual([]);
  });
});
