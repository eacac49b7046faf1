import type { DomainError, FieldIssue } from '../errors.ts';
import type { Lang } from './locale.ts';
import { problemsEn } from './problems-en.ts';
import { problemsZhCN, type ProblemKey } from './problems-zh-CN.ts';

const texts: Record<Lang, Record<ProblemKey, string>> = { 'zh-CN': problemsZhCN, en: problemsEn };

function fill(text: string, values: Readonly<Record<string, string | number>>): string {
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in values ? String(values[name]) : m));
}

/** The kind of a zod issue and the bound it names, as a key of the problem texts. */
function issueKind(issue: FieldIssue, field: string): { key: ProblemKey; values: Record<string, string | number> } {
  const bound = (n: number | bigint | undefined) => ({ min: Number(n ?? 0), max: Number(n ?? 0) });
  switch (issue.code) {
    case 'invalid_type':
      if (issue.expected === 'number') return { key: 'issue.notNumber', values: {} };
      if (issue.expected === 'int') return { key: 'issue.notInteger', values: {} };
      return { key: 'issue.required', values: {} };
    case 'too_small':
      if (issue.origin === 'string')
        return Number(issue.minimum) <= 1
          ? { key: 'issue.required', values: {} }
          : { key: 'issue.tooShort', values: bound(issue.minimum) };
      return { key: 'issue.tooSmall', values: bound(issue.minimum) };
    case 'too_big':
      return { key: issue.origin === 'string' ? 'issue.tooLong' : 'issue.tooBig', values: bound(issue.maximum) };
    case 'invalid_format': {
      if (issue.format === 'date') return { key: 'issue.notDate', values: {} };
      const own = `issue.format.${field}`;
      return { key: own in problemsZhCN ? (own as ProblemKey) : 'issue.format', values: {} };
    }
    case 'invalid_value':
      return { key: 'issue.choice', values: {} };
    case 'custom': {
      const own = `custom.${String(issue.params?.problem)}`;
      return { key: own in problemsZhCN ? (own as ProblemKey) : 'issue.other', values: {} };
    }
    default:
      return { key: 'issue.other', values: {} };
  }
}

/**
 * Zod issues as sentences in `lang`, one per field (the first issue of each), each naming the field by its
 * label: `有效天数：不能大于 90`. Issue texts come from the issue's kind, never from zod's English message.
 */
export function fieldIssuesText(lang: Lang, issues: readonly FieldIssue[]): string {
  const t = texts[lang];
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const issue of issues) {
    const field = issue.path.length > 0 ? String(issue.path[0]) : '';
    if (seen.has(field)) continue;
    seen.add(field);
    const label = `field.${field}`;
    const { key, values } = issueKind(issue, field);
    lines.push(
      fill(t['issue.line'], {
        field: label in t ? t[label as ProblemKey] : t['field.unknown'],
        text: fill(t[key], values),
      }),
    );
  }
  return lines.join(t['list.separator']);
}

/**
 * A refused request said in `lang`: the zod issues behind it, or the text of its code with its params.
 * A code without a text here gets a general sentence, never the English message meant for the API and CLI.
 */
export function problemText(lang: Lang, error: DomainError): string {
  const issues = error.details.fieldIssues;
  if (issues && issues.length > 0) return fieldIssuesText(lang, issues);
  const key = `code.${error.code}`;
  const t = texts[lang];
  return key in t ? fill(t[key as ProblemKey], error.details.params ?? {}) : t.generic;
}

/** Whether a DomainError code has its own text (the tests hold every code a form can meet to this). */
export function hasProblemText(code: string): boolean {
  return `code.${code}` in problemsZhCN;
}
