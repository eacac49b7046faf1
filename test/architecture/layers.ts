/**
 * The layers of the house, from the ground up (`/shared/STYLE.md`, "Folders import downward only"). A unit may
 * import units of its own layer or below; an import upward is a defect unless a decision record defends it.
 * Units not named here have no layer yet and are reported, so a new folder must be placed on purpose.
 */
export const layers: readonly (readonly string[])[] = [
  ['shared'],
  [
    'server/db',
    'server/divisions',
    'server/i18n',
    'server/errors.ts',
    'server/log.ts',
    'server/version.ts',
    'server/config.ts',
  ],
  ['server/http', 'server/audit', 'server/access'],
  ['server/plan'],
  ['server/coverage'],
  [
    'server/programme',
    'server/registry',
    'server/enrollment',
    'server/ingest',
    'server/accounts',
    'server/auth',
    'server/releases',
    'server/speedtest',
  ],
  ['server/views', 'server/routes', 'server/commands', 'server/jobs', 'server/demo'],
  ['server/app.ts', 'server/index.ts', 'server/cli.ts', 'server/santong.mjs'],
  ['agent', 'agent/collect', 'agent/update', 'agent/package'],
  ['agent/demo'],
  ['bench'],
];

/** The layer of a unit (the agent's top-level files share `agent`); undefined for a unit no layer names. */
export function layerOf(unit: string): number | undefined {
  const name = /^agent\/[^/]+\.(ts|mjs)$/.test(unit) ? 'agent' : unit;
  const i = layers.findIndex((layer) => layer.includes(name));
  return i < 0 ? undefined : i;
}
