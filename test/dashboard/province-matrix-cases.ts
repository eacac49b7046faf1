import { divisionContains } from '../../server/divisions/containment.ts';

/*
 * The authorization matrix of a province deployment (issue 13 item 5): Gansu (620000) as the root, with schools
 * in two counties of Linxia prefecture (622921 临夏县, 622922 康乐县) and one of Lanzhou (620102 城关区). Each
 * principal — a token or an account of the whole province, of a prefecture, of a county — must read exactly
 * its subtree on every API read and be refused (403) everywhere else. Cells follow from the principal's
 * division by GB/T 2260 containment, so the table is the rule, not a list of hand-written exceptions.
 */
export const provinceRoster = [
  ['6229210001', '临夏县测试小学', '622921'],
  ['6229220001', '康乐县测试中学', '622922'],
  ['6201020001', '城关区测试小学', '620102'],
].map(([code, name, county]) => ({
  code: code!,
  name: name!,
  county_code: county!,
  type_code: '211',
  urban_rural_code: '220',
  classroom_count: 1,
}));

/** A principal of the matrix: its division (null: the whole province, the root) and how it signs in. */
export interface ProvincePrincipal {
  name: string;
  division: string | null;
  via: 'token' | 'account';
  role?: 'bureau' | 'county';
}

export const provincePrincipals: ProvincePrincipal[] = [
  { name: 'province token', division: null, via: 'token' },
  { name: 'Linxia prefecture token', division: '622900', via: 'token' },
  { name: 'Lanzhou prefecture token', division: '620100', via: 'token' },
  { name: 'Linxia county token', division: '622921', via: 'token' },
  { name: 'province bureau account', division: null, via: 'account', role: 'bureau' },
  { name: 'Linxia prefecture bureau account', division: '622900', via: 'account', role: 'bureau' },
  { name: 'Linxia county account', division: '622921', via: 'account', role: 'county' },
];

/** The divisions the matrix asks about, from the root down to each county with schools. */
export const provinceDivisions = ['620000', '622900', '622921', '622922', '620100', '620102'];
export const provinceCounties = ['622921', '622922', '620102'];

/** Whether the principal's division holds the code (the root holds everything). */
export const sees = (p: ProvincePrincipal, code: string) => p.division === null || divisionContains(p.division, code);

/** One API read for one target: the path, and the code that decides whether the principal may read it. */
export interface ProvinceRead {
  route: string;
  path: string;
  /** The division or school county the read is about; undefined: a list every division principal may read. */
  inside?: string;
  /** Only the whole deployment may read it (the audit log, decision 150). */
  rootOnly?: boolean;
}

export const provinceReads: ProvinceRead[] = [
  { route: 'GET /api/v1/coverage', path: '/api/v1/coverage?pageSize=1000' },
  { route: 'GET /api/v1/coverage', path: '/api/v1/coverage?format=csv' },
  { route: 'GET /api/v1/divisions', path: '/api/v1/divisions' },
  { route: 'GET /api/v1/plan', path: '/api/v1/plan' },
  { route: 'GET /api/v1/teacher-spaces', path: '/api/v1/teacher-spaces' },
  { route: 'GET /api/v1/platforms', path: '/api/v1/platforms' },
  { route: 'GET /api/v1/platforms/coverage', path: '/api/v1/platforms/coverage' },
  { route: 'GET /api/v1/declarations', path: '/api/v1/declarations' },
  { route: 'GET /api/v1/closures', path: '/api/v1/closures' },
  { route: 'GET /api/v1/history', path: '/api/v1/history' },
  { route: 'GET /api/v1/audit', path: '/api/v1/audit', rootOnly: true },
  ...provinceDivisions.flatMap((code) => [
    { route: 'GET /api/v1/coverage', path: `/api/v1/coverage?division=${code}`, inside: code },
    { route: 'GET /api/v1/coverage', path: `/api/v1/coverage?division=${code}&format=xlsx`, inside: code },
    { route: 'GET /api/v1/divisions/:code', path: `/api/v1/divisions/${code}`, inside: code },
    { route: 'GET /api/v1/history', path: `/api/v1/history?division=${code}`, inside: code },
  ]),
  ...provinceCounties.map((code) => ({
    route: 'GET /api/v1/coverage/counties/:code',
    path: `/api/v1/coverage/counties/${code}`,
    inside: code,
  })),
  ...provinceRoster.flatMap((s) => [
    { route: 'GET /api/v1/schools/:code', path: `/api/v1/schools/${s.code}`, inside: s.county_code },
    {
      route: 'GET /api/v1/schools/:code/classrooms',
      path: `/api/v1/schools/${s.code}/classrooms`,
      inside: s.county_code,
    },
    { route: 'GET /api/v1/schools/:code/devices', path: `/api/v1/schools/${s.code}/devices`, inside: s.county_code },
  ]),
];

/** The status a principal must get for a read. */
export function expectedStatus(p: ProvincePrincipal, read: ProvinceRead): number {
  if (read.rootOnly) return p.division === null ? 200 : 403;
  if (read.inside === undefined) return 200;
  return sees(p, read.inside) ? 200 : 403;
}
