import type { PlatformCoverage, PlatformView } from '../../shared/schemas/platforms.ts';
import type { Viewer } from '../access/principals.ts';
import type { Locale } from '../i18n/locale.ts';
import { ExportLinks, Layout } from './layout.tsx';
import { PlatformsSection } from './programme-sections.tsx';
import { DataTable, type Column } from './table.tsx';

/*
 * The platform registry, read-only: changes stay on the API and CLI (santong platform …), which audit
 * them. "Built" is the registry's declared date; "reachable" is what the probes measured.
 */

/** Platform columns (page and export). */
export function platformColumns(locale: Locale): Column<PlatformView>[] {
  const t = locale.t;
  return [
    { label: 'col.id', value: (r) => r.id, numeric: true },
    { label: 'col.kind', value: (r) => t(`platformKind.${r.kind}`) },
    { label: 'col.level', value: (r) => t(`level.${r.level}`) },
    { label: 'col.owner', value: (r) => r.ownerCode },
    { label: 'col.name', value: (r) => r.name },
    { label: 'col.url', value: (r) => r.url },
    {
      label: 'col.builtOnDeclared',
      value: (r) => r.builtOn,
      cell: (r) =>
        r.builtOn ? (
          <span>
            <span class="tag declared">{t('tag.declared')}</span>
            {` ${r.builtOn}`}
          </span>
        ) : (
          t('value.none')
        ),
    },
    { label: 'col.reachableMeasured', value: (r) => r.status?.reachable ?? null },
    {
      label: 'col.lastProbe',
      value: (r) => r.status?.lastProbeAt ?? null,
      time: 'instant',
    },
    {
      label: 'col.uptime7d',
      value: (r) => r.status?.uptime7d ?? null,
      cell: (r) => (r.status?.uptime7d == null ? t('value.none') : locale.share(r.status.uptime7d, 1, 'probes')),
    },
    {
      label: 'col.uptime30d',
      value: (r) => r.status?.uptime30d ?? null,
      cell: (r) => (r.status?.uptime30d == null ? t('value.none') : locale.share(r.status.uptime30d, 1, 'probes')),
    },
    { label: 'col.latencyMs', value: (r) => r.status?.medianLatencyMs ?? null, numeric: true },
    { label: 'col.probeError', value: (r) => r.status?.error ?? null },
  ];
}

/** Coverage per level, then every platform with its declared build date and measured reachability. */
export function PlatformsPage(props: {
  locale: Locale;
  viewer: Viewer;
  path: string;
  platforms: PlatformView[];
  coverage: PlatformCoverage;
}) {
  const { locale } = props;
  const t = locale.t;
  return (
    <Layout locale={locale} viewer={props.viewer} path={props.path} title={t('platforms.title')}>
      <h1>{t('platforms.title')}</h1>
      <PlatformsSection locale={locale} coverage={props.coverage} linkToList={false} />
      <h2>{t('platforms.list')}</h2>
      <p class="meta">{t('platforms.readOnly')}</p>
      <ExportLinks locale={locale} base="/platforms" />
      <DataTable
        locale={locale}
        caption={t('platforms.list')}
        columns={platformColumns(locale)}
        rows={props.platforms}
        id="platform-table"
      />
    </Layout>
  );
}
