import type { Coverage } from '../../shared/schemas/coverage.ts';
import type { Locale } from './i18n/locale.ts';

/** A progress bar for a table cell: part of whole, with the percentage as text beside it. */
export function Bar(props: { locale: Locale; part: number; whole: number }) {
  const share = props.whole > 0 ? Math.min(1, props.part / props.whole) : 0;
  return (
    <span>
      <span class="bar" aria-hidden="true">
        <span style={`width:${(share * 100).toFixed(1)}%`} />
      </span>
      {`${props.locale.number(props.part)} (${props.locale.percent(props.part, props.whole)})`}
    </span>
  );
}

/** The headline figures of a coverage read: against the plan's target, or against what is registered. */
export function HeadlineFigures(props: { locale: Locale; coverage: Coverage }) {
  const { locale, coverage } = props;
  const t = locale.t;
  const items = [
    { label: t('figure.schoolsConnected'), value: coverage.schools.connected, of: coverage.schools.target ?? coverage.schools.registered, target: coverage.schools.target !== null },
    { label: t('figure.meetingStandard'), value: coverage.schools.meetingStandard, of: coverage.schools.registered, target: false },
    { label: t('figure.classroomsEquipped'), value: coverage.classrooms.equipped, of: coverage.classrooms.target ?? coverage.classrooms.registered, target: coverage.classrooms.target !== null },
    { label: t('figure.devicesLive'), value: coverage.devices.live, of: coverage.devices.enrolled, target: false },
  ];
  return (
    <>
      <ul class="figures">
        {items.map((item) => (
          <li class="figure">
            <div class="label">{item.label}</div>
            <div class="value">
              {locale.number(item.value)}
              <span class="of">{` / ${locale.number(item.of)}`}</span>
            </div>
            <div class="meta">{`${locale.percent(item.value, item.of)} ${item.target ? t('figure.ofTarget') : t('figure.ofRegistered')}`}</div>
          </li>
        ))}
      </ul>
      <p class="meta">{`${t('figure.asOf')} ${locale.dateTime(coverage.asOf)} · ${t('figure.window')} ${coverage.evidenceWindowDays}`}</p>
    </>
  );
}
