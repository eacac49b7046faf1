import fs from 'node:fs';
import type { Page } from 'playwright-core';

const pageScript = fs.readFileSync(new URL('./layout-audit.page.js', import.meta.url), 'utf8');

/*
 * What the layout test measures on a page, in the page itself: the three rules of issue 18 item 7 as boxes
 * and text the browser laid out, not as CSS the test guesses at.
 */
export interface LayoutFindings {
  /** The document is wider than the viewport: the elements that stick out, outside any scrolling wrapper. */
  overflow: string[];
  /** Tables cut by their scrolling wrapper, when the page is wide enough that every table should fit. */
  cutTables: string[];
  /** Two text boxes of one chart (labels, legend entries) that overlap. */
  overlaps: string[];
  /** Visible text with Han characters left once the allowed data names are taken out (English pages only). */
  han: string[];
}

/**
 * Audits the page as laid out. `allowedHan` are data values with no English form (school names, townships,
 * division names the reference has no pinyin for …); text inside an element marked lang="zh…" (the language
 * switch) is Chinese on purpose. `fitTables`: the width is a laptop's, where no table may need its scrollbar.
 */
export function auditLayout(
  page: Page,
  options: { english: boolean; allowedHan: string[]; fitTables: boolean },
): Promise<LayoutFindings> {
  const args = JSON.stringify(options);
  return page.evaluate(`(${pageScript.trim().replace(/;$/, '')})(${args})`);
}
