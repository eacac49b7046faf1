import type { Coverage } from '../../shared/schemas/coverage.ts';
import type { Locale, ShareBase } from '../i18n/locale.ts';
import type { MessageKey } from '../i18n/zh-CN.ts';
import type { Column, SumGroup } from './table.tsx';

/*
 * The parts of a total, one home each (decision 165). A school is connected or not, a classroom equipped or not
 * (and if equipped, by one kind of display), a device in one of four states: wherever a table or figure shows
 * one part of such a count, it shows the total and every part, and the parts add up to it. The cells and spans
 * carry `data-total` / `data-part` so the sum can be read back from the page.
 */
type Figures = Pick<Coverage['counties'][number], 'schools' | 'classrooms' | 'devices'>;

/** A progress bar for a table cell: part of whole, with the percentage beside it naming its base. */
export function Bar(props: { locale: Locale; part: number; whole: number; base: ShareBase }) {
  const share = props.whole > 0 ? Math.min(1, props.part / props.whole) : 0;
  return (
    <span>
      <span class="bar" aria-hidden="true">
        <span style={`width:${(share * 100).toFixed(1)}%`} />
      </span>
      <span class="figure-text">
        {props.locale.number(props.part)}
        <span class="figure-share">{` (${props.locale.share(props.part, props.whole, props.base)})`}</span>
      </span>
    </span>
  );
}

/** A plain count column of a partition: its total (`{ total }`) or one of its parts (`{ partOf }`). */
function countColumn<Row>(
  label: MessageKey,
  sortKey: string,
  value: (row: Row) => number,
  sums: Column<Row>['sums'],
): Column<Row> {
  return { label, value, numeric: true, sortKey, sums };
}

/** Registered schools, then those connected and those not. */
export function schoolPartColumns<Row extends Pick<Figures, 'schools'>>(locale: Locale): Column<Row>[] {
  return [
    countColumn<Row>('col.schools', 'schools', (r) => r.schools.registered, { total: 'schools' }),
    {
      label: 'col.schoolsConnected',
      value: (r) => r.schools.connected,
      cell: (r) => <Bar locale={locale} part={r.schools.connected} whole={r.schools.registered} base="schools" />,
      sortKey: 'connected',
      sums: { partOf: 'schools' },
    },
    countColumn<Row>('col.schoolsNotConnected', 'notConnected', (r) => r.schools.registered - r.schools.connected, {
      partOf: 'schools',
    }),
  ];
}

/** Registered classrooms, those equipped (and by which kind of display), and those not. */
export function classroomPartColumns<Row extends Pick<Figures, 'classrooms'>>(locale: Locale): Column<Row>[] {
  const equipped = { partOf: 'equipped' } as const;
  return [
    countColumn<Row>('col.classrooms', 'classrooms', (r) => r.classrooms.registered, { total: 'classrooms' }),
    {
      label: 'col.classroomsEquipped',
      value: (r) => r.classrooms.equipped,
      cell: (r) => (
        <Bar locale={locale} part={r.classrooms.equipped} whole={r.classrooms.registered} base="classrooms" />
      ),
      sortKey: 'equipped',
      sums: { partOf: 'classrooms', total: 'equipped' },
    },
    countColumn<Row>('col.equippedProjector', 'equippedProjector', (r) => r.classrooms.equippedBy.projector, equipped),
    countColumn<Row>(
      'col.equippedInteractivePanel',
      'equippedPanel',
      (r) => r.classrooms.equippedBy.interactivePanel,
      equipped,
    ),
    countColumn<Row>(
      'col.equippedLargeDisplay',
      'equippedLarge',
      (r) => r.classrooms.equippedBy.largeDisplay,
      equipped,
    ),
    countColumn<Row>(
      'col.classroomsNotEquipped',
      'notEquipped',
      (r) => r.classrooms.registered - r.classrooms.equipped,
      {
        partOf: 'classrooms',
      },
    ),
  ];
}

/** Enrolled devices, then each state: reporting to this server, at risk, silent, never reported. */
export function devicePartColumns<Row extends Pick<Figures, 'devices'>>(): Column<Row>[] {
  const state = { partOf: 'devices' } as const;
  return [
    countColumn<Row>('col.devices', 'devices', (r) => r.devices.enrolled, { total: 'devices' }),
    countColumn<Row>('col.devicesLive', 'live', (r) => r.devices.live, state),
    countColumn<Row>('col.devicesAtRisk', 'atRisk', (r) => r.devices.atRisk, state),
    countColumn<Row>('col.devicesSilent', 'silent', (r) => r.devices.silent, state),
    countColumn<Row>('col.devicesNever', 'never', (r) => r.devices.never, state),
  ];
}

/**
 * A message with its {placeholders} filled in, the counts among them marked as the total or the parts of
 * `group`, so the sentence's sum can be read back like a table row's (decision 165).
 */
export function MarkedText(props: {
  locale: Locale;
  message: MessageKey;
  values: Record<string, string | number>;
  group: SumGroup;
  total?: string;
  parts: readonly string[];
}) {
  const { locale, values } = props;
  return (
    <>
      {locale
        .t(props.message)
        .split(/\{(\w+)\}/)
        .map((piece, i) => {
          // split() with a capture group puts each placeholder's name at the odd indices.
          if (i % 2 === 0 || !(piece in values)) return i % 2 === 0 ? piece : `{${piece}}`;
          const value = values[piece]!;
          const text = typeof value === 'number' ? locale.number(value) : value;
          if (piece === props.total) return <span data-total={props.group}>{text}</span>;
          if (props.parts.includes(piece)) return <span data-part={props.group}>{text}</span>;
          return text;
        })}
    </>
  );
}

/** The equipped count taken apart by display kind, marked as parts of `equipped`. */
export function EquippedBy(props: {
  locale: Locale;
  by: Figures['classrooms']['equippedBy'];
  message: 'figure.equippedBy' | 'evidence.equippedBy';
}) {
  return (
    <MarkedText
      locale={props.locale}
      message={props.message}
      values={{ projector: props.by.projector, panel: props.by.interactivePanel, large: props.by.largeDisplay }}
      group="equipped"
      parts={['projector', 'panel', 'large']}
    />
  );
}

/** A device count taken apart by state, marked as parts of `devices`. */
export function DevicesBy(props: { locale: Locale; devices: Figures['devices']; message: MessageKey }) {
  const d = props.devices;
  return (
    <MarkedText
      locale={props.locale}
      message={props.message}
      values={{ enrolled: d.enrolled, live: d.live, atRisk: d.atRisk, silent: d.silent, never: d.never }}
      group="devices"
      total="enrolled"
      parts={['live', 'atRisk', 'silent', 'never']}
    />
  );
}
