/** A roster line as importSchools takes it: a primary school (211, town 121) with two classrooms unless `extra` says otherwise. */
export const rosterRow = (line: number, code: string, county: string, extra: Record<string, string> = {}) => ({
  line,
  cells: {
    code,
    name: `学校${code}`,
    county_code: county,
    type_code: '211',
    urban_rural_code: '121',
    classroom_count: '2',
    ...extra,
  },
});
