import { fileURLToPath } from 'node:url';
import { fileImports, unitCycles, unitEdges, unitOf, type FileImport } from './import-graph.ts';
import { layerOf } from './layers.ts';

/** The source folders whose imports make the graph. */
export const graphRoots = ['server', 'agent', 'shared', 'bench'] as const;

export type HouseGraph = {
  edges: Map<string, FileImport>;
  /** Folder cycles, each a sorted list of units. */
  cycles: string[][];
  /** Edges from a lower layer to a higher one. */
  upward: string[];
  /** Units that no layer names. */
  unplaced: string[];
};

/** Reads the repository's folder-level import graph and judges it against the layers. */
export function houseGraph(repo: string): HouseGraph {
  const imports = fileImports(repo, graphRoots);
  const edges = unitEdges(imports);
  const units = new Set(imports.flatMap((i) => [unitOf(i.from), unitOf(i.to)]));
  const upward = [...edges.keys()].filter((e) => {
    const [from, to] = e.split(' -> ') as [string, string];
    const [a, b] = [layerOf(from), layerOf(to)];
    return a !== undefined && b !== undefined && b > a;
  });
  const unplaced = [...units].filter((u) => layerOf(u) === undefined).sort();
  return { edges, cycles: unitCycles(edges.keys()), upward, unplaced };
}

// `npm run -s graph`: the graph as text, for issue notes and reviews (before/after a reshaping).
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const graph = houseGraph(process.cwd());
  console.log(`${graph.edges.size} folder edges`);
  for (const [edge, example] of graph.edges) console.log(`  ${edge}    (${example.from} → ${example.to})`);
  console.log(`\n${graph.cycles.length} folder cycle(s)`);
  for (const cycle of graph.cycles) console.log(`  ${cycle.join(', ')}`);
  console.log(`\n${graph.upward.length} upward edge(s)`);
  for (const edge of graph.upward)
    console.log(`  ${edge}    (${graph.edges.get(edge)!.from} → ${graph.edges.get(edge)!.to})`);
  if (graph.unplaced.length) console.log(`\nunits no layer names: ${graph.unplaced.join(', ')}`);
}
