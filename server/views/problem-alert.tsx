import type { FormProblem } from '../http/form-problem.ts';
import type { Locale } from '../i18n/locale.ts';

/** A refused form's problem at the top of its page, announced to screen readers, in the reader's language. */
export function ProblemAlert(props: { locale: Locale; problem: FormProblem | null }) {
  if (!props.problem) return null;
  return (
    <p class="error" role="alert">
      {`${props.locale.t('error.invalid')} ${props.problem.message}`}
    </p>
  );
}
