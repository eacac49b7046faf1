import { and, asc, eq, isNotNull, or } from 'drizzle-orm';
import { platformLevels } from '../../shared/schemas/plan.ts';
import {
  platformKinds,
  type PlatformCoverage,
  type PlatformLevel,
  type PlatformView,
} from '../../shared/schemas/platforms.ts';
import type { platformStatus } from '../db/schema.ts';
import { readCached } from '../db/read-cache.ts';
import type { Store } from '../db/store.ts';
import { currentPlan } from '../plan/current.ts';
import { deploymentTree } from '../divisions/deployment.ts';
import { DAY_MS, localDay } from '../../shared/time/china-time.ts';
import { inDivision } from '../divisions/containment.ts';

/*
 * Reads of the platform registry and its probes. Built (declared) and reachable (measured) are counted
 * separately; a unit counts once per kind however many platforms of that kind it has.
 */

/** A probe older than this no longer makes a platform reachable: the probe job may have stopped. */
export const REACHABLE_FRESH_MS = DAY_MS;

const iso = (ms: number) => new Date(ms).toISOString();
type Status = typeof platformStatus.$inferSelect;

function statusView(status: Status | null, now: number): PlatformView['status'] {
  if (!status) return null;
  return {
    lastProbeAt: iso(status.lastProbeAt),
    up: status.up,
    reachable: status.up && now - status.lastProbeAt <= REACHABLE_FRESH_MS,
    statusCode: status.statusCode,
    error: status.error,
    uptime7d: status.uptime7d,
    uptime30d: status.uptime30d,
    medianLatencyMs: status.medianLatencyMs,
    probes30d: status.probes30d,
  };
}

/** Platforms a reader sees: all for the bureau; for a county, the prefecture's and the county's own (its centre schools' too). */
export async function listPlatforms(store: Store, countyScope: string | null, now: number): Promise<PlatformView[]> {
  const { platforms, platformStatus } = store.t;
  const rows = await readCached(store, `platforms:${countyScope ?? 'all'}`, async () =>
    store.q
      .select({ platform: platforms, status: platformStatus })
      .from(platforms)
      .leftJoin(platformStatus, eq(platformStatus.platformId, platforms.id))
      .where(
        countyScope === null
          ? undefined
          : or(eq(platforms.level, 'prefecture'), inDivision(platforms.countyCode, countyScope)),
      )
      .orderBy(asc(platforms.id)),
  );
  return rows.map(({ platform: p, status }) => ({
    id: p.id,
    kind: p.kind,
    level: p.level,
    ownerCode: p.ownerCode,
    countyCode: p.countyCode,
    name: p.name,
    url: p.url,
    builtOn: p.builtOn,
    status: statusView(status, now),
  }));
}

/*
 * The units of each level: the prefecture; the plan's counties; the centre schools, i.e. the schools the
 * registry names as a centre school (中心校 is a role, not a school type) plus any school that owns a
 * centre-school platform, so a declared platform is never counted against no unit.
 */
function unitsOf(store: Store, countyScope: string | null): Promise<Record<PlatformLevel, Set<string>>> {
  return readCached(store, `platform-units:${countyScope ?? 'all'}`, () => readUnits(store, countyScope));
}

async function readUnits(store: Store, countyScope: string | null): Promise<Record<PlatformLevel, Set<string>>> {
  const { divisions, platforms, schools } = store.t;
  const prefecture = await store.q
    .select({ code: divisions.code })
    .from(divisions)
    .where(eq(divisions.level, 'prefecture'));
  const counties = await store.q
    .select({ code: divisions.code })
    .from(divisions)
    .where(
      countyScope === null
        ? eq(divisions.level, 'county')
        : and(eq(divisions.level, 'county'), inDivision(divisions.code, countyScope)),
    );
  const named = await store.q
    .selectDistinct({ code: schools.centreSchoolCode })
    .from(schools)
    .where(and(isNotNull(schools.centreSchoolCode), inDivision(schools.countyCode, countyScope)));
  const owning = await store.q
    .selectDistinct({ code: platforms.ownerCode })
    .from(platforms)
    .where(and(eq(platforms.level, 'centre-school'), inDivision(platforms.countyCode, countyScope)));
  return {
    prefecture: new Set(prefecture.map((d) => d.code)),
    county: new Set(counties.map((d) => d.code)),
    'centre-school': new Set([...named.map((s) => s.code!), ...owning.map((p) => p.code)]),
  };
}

/** Platform coverage per level against the plan's milestones: units due, declared built and reachable (measured), per kind. */
export async function readPlatformCoverage(
  store: Store,
  countyScope: string | null,
  now: number,
): Promise<PlatformCoverage> {
  const plan = await currentPlan(store);
  const tree = await deploymentTree(store);
  const today = localDay(now);
  const thisYear = Number(today.slice(0, 4));
  const units = await unitsOf(store, countyScope);
  const visible = await listPlatforms(store, countyScope, now);
  const levels = platformLevels.map((level) => {
    const years = (plan.indicators.platforms?.milestones ?? [])
      .filter((m) => m.levels.includes(level))
      .map((m) => m.year);
    const dueBy = years.length === 0 ? null : Math.min(...years);
    const due = dueBy !== null && thisYear > dueBy;
    const figures = (kind: (typeof platformKinds)[number]) => {
      const mine = visible.filter((p) => p.level === level && p.kind === kind && units[level].has(p.ownerCode));
      return {
        declaredBuilt: new Set(mine.filter((p) => p.builtOn !== null && p.builtOn <= today).map((p) => p.ownerCode))
          .size,
        reachable: new Set(mine.filter((p) => p.status?.reachable === true).map((p) => p.ownerCode)).size,
      };
    };
    return {
      level,
      dueBy,
      due,
      units: units[level].size,
      expected: due ? units[level].size : 0,
      resource: figures('resource'),
      management: figures('management'),
    };
  });
  return {
    asOf: iso(now),
    scope: {
      level: countyScope === null ? tree.root.level : (tree.get(countyScope)?.level ?? 'county'),
      code: countyScope ?? tree.root.code,
    },
    levels,
  };
}
