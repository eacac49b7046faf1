/*
 * Linxia's eight real counties and an invented spread of the plan's 1,492 schools over them, the one
 * table the demo, the server benchmark's prefecture and the pages benchmark all draw from: 东乡 and
 * 临夏县 have the most village schools, 临夏市 the fewest. Not measured anywhere.
 */
export const linxiaSchools: readonly (readonly [countyCode: string, schools: number])[] = [
  ['622901', 120],
  ['622921', 240],
  ['622922', 180],
  ['622923', 150],
  ['622924', 160],
  ['622925', 130],
  ['622926', 300],
  ['622927', 212],
];

/** Splits total into parts proportional to weights, each part at least min, summing to total exactly. */
export function allocate(total: number, weights: number[], min = 0): number[] {
  const spare = total - min * weights.length;
  const sum = weights.reduce((a, b) => a + b, 0);
  let acc = 0;
  let given = 0;
  return weights.map((w) => {
    acc += w;
    const upTo = Math.round((acc / sum) * spare);
    const part = upTo - given;
    given = upTo;
    return min + part;
  });
}

/** Linxia's counties with `total` schools spread in the table's proportions, at least `min` each. */
export function linxiaCounties(total: number, min = 0): { code: string; schools: number }[] {
  const sizes = allocate(
    total,
    linxiaSchools.map(([, n]) => n),
    min,
  );
  return linxiaSchools.map(([code], i) => ({ code, schools: sizes[i]! }));
}
