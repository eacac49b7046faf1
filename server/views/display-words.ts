import type { DeviceDisplay } from '../../shared/schemas/coverage.ts';
import type { PresentationKind } from '../../shared/schemas/report.ts';
import type { Locale } from '../i18n/locale.ts';

/*
 * A display and why it got its kind, in the reader's words: what a county officer needs to judge a
 * classroom's equipment ("interactive panel · CVT CVTE TV · 190 × 107 cm (86″) · touch · decided by: size, touch").
 */

/** A presentation or other display kind, in words. */
export function kindWords(locale: Locale, kind: DeviceDisplay['kind'] | PresentationKind | null): string {
  return kind === null ? locale.t('value.none') : locale.tOr(`displayKind.${kind}`, kind);
}

/** One display in words: kind, maker and model, size, touch and the evidence that decided its kind. */
export function displayWords(locale: Locale, d: DeviceDisplay): string {
  const size =
    d.widthCm === null || d.heightCm === null
      ? null
      : d.diagonalInches === null
        ? locale.t('display.noSize')
        : locale.fill('display.size', {
            cm: `${d.widthCm} × ${d.heightCm}`,
            inches: locale.number(d.diagonalInches, 1),
          });
  const touch = d.touch === null ? null : locale.t(d.touch ? 'display.touch' : 'display.noTouch');
  const because =
    d.evidence.length === 0
      ? locale.t('display.noEvidence')
      : locale.fill('display.because', {
          list: d.evidence.map((e) => locale.tOr(`displayEvidence.${e}`, e)).join(locale.t('list.separator')),
        });
  const name = [d.vendor, d.model].filter((part) => part !== null).join(' ');
  return [kindWords(locale, d.kind), name || null, d.connection, size, touch, because]
    .filter((part) => part !== null)
    .join(' · ');
}

/** A device's displays in words, one after another; "no display" when its latest report listed none. */
export function displaysWords(locale: Locale, displays: readonly DeviceDisplay[]): string {
  return displays.length === 0 ? locale.t('display.none') : displays.map((d) => displayWords(locale, d)).join('; ');
}
