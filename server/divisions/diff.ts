import type { Division, DivisionTree } from './tree.ts';

/** A division the next edition drops or stops taking schools at, while schools still point at it. */
export interface BlockingDivision {
  code: string;
  name: string;
  schools: number;
  /** `not a school unit`: a counted code the current tree does not know and the next does not take schools at. */
  reason: 'removed' | 'gained counties' | 'not a school unit';
  /** Divisions of the next edition that likely took its place (same province, same name stem). */
  likelySuccessors: readonly Division[];
}

/** What importing `next` over `current` changes, and whether it must be refused. */
export interface DivisionChanges {
  from: string;
  to: string;
  added: readonly Division[];
  renamed: readonly { code: string; level: Division['level']; from: string; to: string }[];
  moved: readonly { code: string; name: string; fromParent: string | null; toParent: string | null }[];
  removed: readonly (Division & { likelySuccessors: readonly Division[] })[];
  blocking: readonly BlockingDivision[];
  /** Present when the import must be refused: names each blocking code, name and school count. */
  refusal?: string;
}

// 自治县 before 县 and 自治旗 before 旗, so 东乡族自治县 and 东乡县 do not share a stem by accident.
const adminSuffix = /(自治县|自治旗|自治州|林区|特区|地区|县|市|区|旗|盟)$/;

/** A name without its administrative suffix: 沙县 and 沙县区 become 沙, 祁阳县 and 祁阳市 become 祁阳. */
export function nameStem(name: string): string {
  let stem = name;
  for (
    let shorter = stem.replace(adminSuffix, '');
    shorter !== '' && shorter !== stem;
    shorter = stem.replace(adminSuffix, '')
  ) {
    stem = shorter;
  }
  return stem;
}

/**
 * Compares two editions of the tree for the divisions where schools point. A code the next edition lacks, a
 * county-less city that gains counties, or any counted code the next edition does not take schools at, while
 * `schoolsPerDivision` still counts schools there, blocks the import: schools must never be orphaned
 * (issue 13). Everything else is reported, never refused.
 */
export function diffDivisionTrees(
  current: DivisionTree,
  next: DivisionTree,
  schoolsPerDivision: ReadonlyMap<string, number>,
): DivisionChanges {
  const added = next.divisions.filter((d) => !current.get(d.code));
  const renamed: DivisionChanges['renamed'][number][] = [];
  const moved: DivisionChanges['moved'][number][] = [];
  const removed: DivisionChanges['removed'][number][] = [];
  const blocking: BlockingDivision[] = [];

  const addedByStem = new Map<string, Division[]>();
  for (const d of added) {
    const key = `${d.code.slice(0, 2)}:${d.level}:${nameStem(d.name)}`;
    const same = addedByStem.get(key);
    if (same) same.push(d);
    else addedByStem.set(key, [d]);
  }
  // Merges keep a name: 梅列区 and 三元区 became one 三元区 under a new code, which the stem finds too.
  const successorsOf = (d: Division) => addedByStem.get(`${d.code.slice(0, 2)}:${d.level}:${nameStem(d.name)}`) ?? [];

  for (const old of current.divisions) {
    const schools = schoolsPerDivision.get(old.code) ?? 0;
    const now = next.get(old.code);
    if (!now) {
      const likelySuccessors = successorsOf(old);
      removed.push({ ...old, likelySuccessors });
      if (schools > 0) blocking.push({ code: old.code, name: old.name, schools, reason: 'removed', likelySuccessors });
      continue;
    }
    if (now.name !== old.name) renamed.push({ code: old.code, level: old.level, from: old.name, to: now.name });
    if (now.parent !== old.parent)
      moved.push({ code: old.code, name: now.name, fromParent: old.parent, toParent: now.parent });
    if (schools > 0 && current.isSchoolUnit(old.code) && !next.isSchoolUnit(old.code)) {
      blocking.push({ code: old.code, name: old.name, schools, reason: 'gained counties', likelySuccessors: [] });
    }
  }

  // Schools counted at a code the current tree lacks would be orphaned just the same; the caller's tree may lag.
  for (const [code, schools] of schoolsPerDivision) {
    if (schools <= 0 || current.get(code) || next.isSchoolUnit(code)) continue;
    const name = next.get(code)?.name ?? '';
    blocking.push({ code, name, schools, reason: 'not a school unit', likelySuccessors: [] });
  }

  const changes: DivisionChanges = {
    from: current.edition,
    to: next.edition,
    added,
    renamed,
    moved,
    removed,
    blocking,
  };
  if (blocking.length === 0) return changes;
  const list = blocking
    .map((b) => {
      const why = {
        removed: 'is not in the new reference',
        'gained counties': 'now has counties of its own',
        'not a school unit': 'is not a county-level division of the new reference',
      }[b.reason];
      const hint = b.likelySuccessors.map((s) => `${s.code} ${s.name}`).join(', ');
      const named = b.name ? `${b.code} ${b.name}` : b.code;
      return `${named} (${b.schools} schools) ${why}${hint ? `; likely successor ${hint}` : ''}`;
    })
    .join('; ');
  return {
    ...changes,
    refusal: `refused: schools still point at divisions the new reference drops: ${list}. Move those schools first.`,
  };
}

/** The change report as lines a bureau can read: counts first, then every renamed, moved and removed code. */
export function describeDivisionChanges(changes: DivisionChanges): string[] {
  const lines = [
    `from "${changes.from}" to "${changes.to}": ${changes.added.length} added, ${changes.renamed.length} renamed, ` +
      `${changes.moved.length} moved, ${changes.removed.length} removed`,
  ];
  for (const r of changes.renamed) lines.push(`renamed ${r.code}: ${r.from} → ${r.to}`);
  for (const m of changes.moved)
    lines.push(`moved ${m.code} ${m.name}: under ${m.fromParent ?? '000000'} → ${m.toParent ?? '000000'}`);
  for (const d of changes.removed) {
    const hint = d.likelySuccessors.map((s) => `${s.code} ${s.name}`).join(', ');
    lines.push(`removed ${d.code} ${d.name}${hint ? ` (likely successor ${hint})` : ''}`);
  }
  for (const d of changes.added) lines.push(`added ${d.code} ${d.name} (${d.level} under ${d.parent ?? '000000'})`);
  if (changes.refusal) lines.push(changes.refusal);
  return lines;
}
