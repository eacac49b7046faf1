import type { DivisionLevelName } from '../../shared/schemas/division-code.ts';
import type { DeploymentTree } from '../divisions/deployment.ts';
import type { Locale } from '../i18n/locale.ts';

/*
 * Where a page sits in the deployment's division tree: the breadcrumb from the root down to it, and the one
 * rule for which page shows a division (the root is the overview, a county its school list, any other
 * division its own page with its children).
 */

/** A division as the trail and the tables show it. */
export interface TrailDivision {
  code: string;
  name: string;
  pinyin: string | null;
  level: DivisionLevelName;
}

/** The dashboard page of a division: `/` for the root, `/counties/CODE` for a county, else `/divisions/CODE`. */
export function divisionHref(division: { code: string; level: DivisionLevelName }, rootCode: string | null): string {
  if (division.code === rootCode) return '/';
  return division.level === 'county' ? `/counties/${division.code}` : `/divisions/${division.code}`;
}

/** Root → … → `code` in the tree, leaving out the divisions `canOpen` refuses (a county officer's is their county). */
export function trailOf(tree: DeploymentTree, code: string, canOpen: (code: string) => boolean): TrailDivision[] {
  const here = tree.get(code);
  const chain = [...tree.ancestors(code)].reverse().concat(here ? [here] : []);
  return chain.filter((d) => canOpen(d.code));
}

/**
 * The breadcrumb root → … → here: every division on the way is a link, the last item is the page itself
 * (a school's name when `here` is given). Nothing is drawn for a trail of one (the root's own overview).
 */
export function Breadcrumb(props: { locale: Locale; trail: TrailDivision[]; rootCode: string; here?: string }) {
  const { locale } = props;
  const steps = props.trail.map((d) => ({ label: locale.divisionName(d), href: divisionHref(d, props.rootCode) }));
  const last = props.here ?? steps.pop()?.label;
  if (steps.length === 0) return null;
  return (
    <nav class="breadcrumb" aria-label={locale.t('breadcrumb.label')}>
      <ol>
        {steps.map((step) => (
          <li>
            <a href={step.href}>{step.label}</a>
          </li>
        ))}
        <li aria-current="page">{last}</li>
      </ol>
    </nav>
  );
}
