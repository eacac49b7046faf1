import { describe, expect, it } from 'vitest';
import { alwaysOpen } from '../../server/coverage/calendar.ts';
import {
  mergeEvidence,
  noEvidence,
  noThroughput,
  schoolFigures,
  throughputOf,
  withReport,
  type DeviceInput,
} from '../../server/coverage/school-figures.ts';
import { coverageRulesSchema } from '../../shared/schemas/plan.ts';

/*
 * The evidence rule by arithmetic alone (server/coverage/school-figures.ts): no database, no clock. The
 * end-to-end scenarios (coverage-rules.test.ts) drive the same function through ingest and the sweep.
 */
const DAY = 86_400_000;
const now = Date.parse('2026-03-20T08:00:00+08:00');
const rules = coverageRulesSchema.parse({
  evidenceWindowDays: 30,
  liveDays: 3,
  atRiskDays: 14,
  bandwidth: { tolerance: 0.8, standards: [{ minMbps: 100 }] },
});
const judge = { rules, calendar: alwaysOpen, now };
const school = { typeCode: '211', urbanRuralCode: '220' };

describe('which reports are evidence', () => {
  it('counts a presentation display only in a report that reached the internet', () => {
    const offline = withReport(noEvidence, { collectedAt: now - DAY, online: false, presenting: 'projector' });
    expect(offline).toEqual({ lastCollectedAt: now - DAY, lastReachableAt: null, lastPresentation: null });
    const online = withReport(offline, { collectedAt: now - 2 * DAY, online: true, presenting: 'projector' });
    expect(online).toEqual({
      lastCollectedAt: now - DAY,
      lastReachableAt: now - 2 * DAY,
      lastPresentation: { at: now - 2 * DAY, kind: 'projector' },
    });
  });

  it('merges in any order to the same evidence, the projector winning a tie at one instant', () => {
    const reports = [
      { collectedAt: now - 3 * DAY, online: true, presenting: 'large-display' as const },
      { collectedAt: now - DAY, online: true, presenting: 'interactive-panel' as const },
      { collectedAt: now - DAY, online: true, presenting: 'projector' as const },
      { collectedAt: now - DAY / 2, online: false, presenting: null },
    ];
    const folded = reports.reduce(withReport, noEvidence);
    const split = mergeEvidence(
      reports.slice(2).reduce(withReport, noEvidence),
      reports.slice(0, 2).reduce(withReport, noEvidence),
    );
    expect(split).toEqual(folded);
    expect(folded.lastPresentation).toEqual({ at: now - DAY, kind: 'projector' });
    expect(folded.lastReachableAt).toBe(now - DAY);
    expect(folded.lastCollectedAt).toBe(now - DAY / 2);
  });
});

describe('a school from its devices', () => {
  const device = (id: string, classroomId: number | null, at: number | null, extra: Partial<DeviceInput> = {}) => ({
    id,
    classroomId,
    revoked: false,
    evidence:
      at === null
        ? noEvidence
        : withReport(noEvidence, { collectedAt: at, online: true, presenting: classroomId ? 'projector' : null }),
    throughput: noThroughput,
    ...extra,
  });

  it('equips a classroom from its own PC in the window, never from an office PC or a revoked key', () => {
    const figures = schoolFigures(
      {
        school,
        devices: [
          device('a', 1, now - DAY),
          device('b', 2, now - 31 * DAY),
          device('c', 3, now - DAY, { revoked: true }),
          device('office', null, now - 5 * DAY),
          device('new', 4, null),
        ],
        classroomIds: [1, 2, 3, 4],
        declarations: [{ indicator: 'equipped', classroomId: 2 }],
      },
      judge,
    );
    expect(figures.classrooms.map((c) => [c.id, c.evidence?.kind ?? null, c.declared])).toEqual([
      [1, 'projector', false],
      [2, null, true],
      [3, null, false],
      [4, null, false],
    ]);
    expect(figures).toMatchObject({
      connected: true,
      lastReachableAt: now - DAY,
      classroomsEquipped: 1,
      classroomsDeclaredEquipped: 1,
      devicesEnrolled: 4,
      devicesBy: { live: 1, 'at-risk': 1, silent: 1, never: 1, revoked: 1 },
    });
    // The next change by time alone: device a stops being live 3 days after its report.
    expect(figures.nextChangeAt).toBe(now - DAY + 3 * DAY + 1);
  });

  it('takes the best device as the school bandwidth, the server naming the source on a tie', () => {
    const claims = [{ down: 120, up: 40, flag: null }];
    const agent = throughputOf(claims, []);
    const server = throughputOf([{ down: 500, up: null, flag: null }], [120]);
    expect(server).toMatchObject({ down: 120, source: 'server', flagged: 1, reasons: 'above-server' });
    const figures = schoolFigures(
      {
        school,
        devices: [
          device('a', null, now - DAY, { throughput: agent }),
          device('b', null, now - DAY, { throughput: server }),
        ],
        classroomIds: [],
        declarations: [{ indicator: 'connected', classroomId: null }],
      },
      judge,
    );
    expect(figures).toMatchObject({
      bandwidthMbps: 120,
      bandwidthSource: 'server',
      standardMbps: 100,
      meetsStandard: true,
      flaggedSamples: 1,
      flagReasons: 'above-server',
      declaredConnected: false,
    });
  });

  it('flags a connected declaration that the school’s own reports contradict', () => {
    const offline = withReport(noEvidence, { collectedAt: now - DAY, online: false, presenting: null });
    const figures = schoolFigures(
      {
        school,
        devices: [{ ...device('a', null, null), evidence: offline }],
        classroomIds: [],
        declarations: [{ indicator: 'connected', classroomId: null }],
      },
      judge,
    );
    expect(figures).toMatchObject({ connected: false, declaredConnected: true, declarationConflict: true });
  });
});
