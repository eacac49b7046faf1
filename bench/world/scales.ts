/*
 * The two scales of issue 6 and how far each is reduced in --quick and full runs. The reasons for the
 * national reduction are in docs/decisions/040-national-benchmark-reduction.md.
 */

/** Bumped whenever generated data would differ: part of the cache key, so old caches are not reused. */
// 4: presentation kinds (decision 080); 5: bandwidth sources (decision 085); 6: the nation on the real division tree;
// 7: report bodies deflated with a dictionary and report ids as 16 bytes (decision 181)
export const GENERATOR_VERSION = 7;

export interface Scale {
  /** prefecture or national: what the figures are reported as. */
  name: 'prefecture' | 'national';
  /** Cache key: the same key always generates the same database (up to report ids and the clock). */
  key: string;
  /** Linxia's eight counties (root 622900), or every county-level division of the shipped tree (root 000000). */
  counties: 'linxia' | 'china';
  schools: number;
  classrooms: number;
  /** Office PCs beyond one PC per classroom. */
  officeDevices: number;
  /** Days of school-hour reports (hourly 08–17 on weekdays, a speed test at 10 and 15) per device. */
  historyDays: number;
  /** Every k-th school gets the full history; the others keep only each device's latest report. */
  historyEvery: number;
  /** 1 for the full registry; k when the registry itself is cut to 1/k (quick runs only). */
  registryDivisor: number;
}

/** Linxia: 1,492 schools, 8,926 classrooms (the plan's figures) and ~10,000 PCs. */
const prefecture = (historyDays: number): Scale => ({
  name: 'prefecture',
  key: `prefecture-h${historyDays}`,
  counties: 'linxia',
  schools: 1_492,
  classrooms: 8_926,
  officeDevices: 1_074,
  historyDays,
  historyEvery: 1,
  registryDivisor: 1,
});

/**
 * China: ~210,000 schools and ~4,000,000 classrooms over the 2,974 county-level divisions of the shipped tree
 * (31 provinces, 333 prefectures), a PC per classroom. A quick run keeps every division and cuts the schools.
 */
const national = (divisor: number, historyDays: number, historyEvery: number): Scale => ({
  name: 'national',
  key: `national-d${divisor}-h${historyDays}-e${historyEvery}`,
  counties: 'china',
  schools: Math.round(210_000 / divisor),
  classrooms: Math.round(4_000_000 / divisor),
  officeDevices: 0,
  historyDays,
  historyEvery,
  registryDivisor: divisor,
});

/** The scales a run measures, smaller first. */
export function scalesFor(quick: boolean): [Scale, Scale] {
  return quick ? [prefecture(2), national(40, 2, 25)] : [prefecture(30), national(1, 30, 200)];
}

/** A tiny scale for the harness's own test: a couple of seconds to generate. */
export function tinyScale(): Scale {
  return {
    name: 'prefecture',
    key: 'tiny',
    counties: 'linxia',
    schools: 20,
    classrooms: 90,
    officeDevices: 10,
    historyDays: 3,
    historyEvery: 2,
    registryDivisor: 1,
  };
}
