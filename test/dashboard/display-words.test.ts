import { describe, expect, it } from 'vitest';
import { en } from '../../server/i18n/en.ts';
import { zhCN } from '../../server/i18n/zh-CN.ts';
import { displayEvidenceKinds, displayKinds } from '../../shared/schemas/report.ts';

describe('display words', () => {
  it('names every display kind and every evidence word an agent may send, in both languages', () => {
    for (const dictionary of [zhCN, en]) {
      for (const evidence of displayEvidenceKinds) expect(dictionary).toHaveProperty([`displayEvidence.${evidence}`]);
      for (const kind of displayKinds) expect(dictionary).toHaveProperty([`displayKind.${kind}`]);
    }
  });
});
