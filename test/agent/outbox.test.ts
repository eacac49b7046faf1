import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Outbox } from '../../agent/outbox.ts';
import { makeReport, tempDir } from './report-fixture.ts';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(() => cleanup());

const big = { maxCount: 1000, maxBytes: 10_000_000 };

describe('outbox', () => {
  it('keeps one file per report, oldest first, across a reopen (a restart)', async () => {
    const outbox = await Outbox.open(dir, big);
    const reports = [makeReport(), makeReport(), makeReport()];
    for (const r of reports) await outbox.add(r);
    expect(await readdir(join(dir, 'outbox'))).toHaveLength(3);
    const reopened = await Outbox.open(dir, big);
    const batch = await reopened.nextBatch(500, 1_000_000);
    expect(batch.map((q) => q.report.id)).toEqual(reports.map((r) => r.id));
    await reopened.add(makeReport());
    expect((await reopened.list()).at(-1)?.name.startsWith('000000000004-')).toBe(true);
  });

  it('clears temp files a crash left half-written, not those of a writer still running', async () => {
    const outbox = await Outbox.open(dir, big);
    await outbox.add(makeReport());
    // No process has id 2^22: Linux pid_max is at most 2^22 − 1.
    await writeFile(join(dir, 'outbox', '.tmp-4194304-abc'), '{"half":');
    await writeFile(join(dir, 'outbox', `.tmp-${process.pid}-abc`), '{"in progress":');
    await Outbox.open(dir, big);
    expect((await readdir(join(dir, 'outbox'))).filter((n) => n.startsWith('.tmp-'))).toEqual([
      `.tmp-${process.pid}-abc`,
    ]);
  });

  it('drops the oldest when over the count limit and puts the drop count in the next report, persisted', async () => {
    const outbox = await Outbox.open(dir, { maxCount: 3, maxBytes: 10_000_000 });
    const reports = Array.from({ length: 5 }, () => makeReport());
    for (const r of reports) await outbox.add(r);
    const kept = await outbox.nextBatch(500, 1_000_000);
    expect(kept.map((q) => q.report.id)).toEqual(reports.slice(2).map((r) => r.id));
    // The 4th add dropped report 1, and the 5th carries that drop; the 5th add dropped report 2.
    expect(kept.map((q) => q.report.droppedSinceLastDelivery)).toEqual([undefined, undefined, 1]);
    expect(outbox.droppedCount).toBe(1);
    const reopened = await Outbox.open(dir, { maxCount: 3, maxBytes: 10_000_000 });
    expect(reopened.droppedCount).toBe(1);
    await reopened.add(makeReport());
    const newest = (await reopened.nextBatch(500, 1_000_000)).at(-1);
    expect(newest?.report.droppedSinceLastDelivery).toBe(1);
    expect(reopened.droppedCount).toBe(1); // this add dropped report 3
  });

  it('drops the oldest when over the byte limit but always keeps the newest', async () => {
    const outbox = await Outbox.open(dir, { maxCount: 100, maxBytes: 1 });
    await outbox.add(makeReport());
    const last = makeReport();
    await outbox.add(last);
    expect((await outbox.nextBatch(500, 1_000_000)).map((q) => q.report.id)).toEqual([last.id]);
    expect(outbox.droppedCount).toBe(1);
  });

  it('never loses a drop: dropped = counter + counts carried by queued reports, whatever the order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 15 }), async (maxCount, adds) => {
        const { dir: d, cleanup: c } = await tempDir();
        try {
          const outbox = await Outbox.open(d, { maxCount, maxBytes: 10_000_000 });
          for (let i = 0; i < adds; i++) await outbox.add(makeReport());
          const queued = await outbox.nextBatch(500, 10_000_000);
          const carried = queued.reduce((s, q) => s + (q.report.droppedSinceLastDelivery ?? 0), 0);
          expect(queued).toHaveLength(Math.min(adds, maxCount));
          expect(outbox.droppedCount + carried).toBe(adds - queued.length);
        } finally {
          await c();
        }
      }),
      { numRuns: 25 },
    );
  });

  it('limits a batch by count and by bytes, always taking at least one', async () => {
    const outbox = await Outbox.open(dir, big);
    for (let i = 0; i < 5; i++) await outbox.add(makeReport());
    expect(await outbox.nextBatch(2, 1_000_000)).toHaveLength(2);
    expect(await outbox.nextBatch(500, 1)).toHaveLength(1);
  });

  it('removes a report only when acknowledged', async () => {
    const outbox = await Outbox.open(dir, big);
    await outbox.add(makeReport());
    await outbox.add(makeReport());
    const batch = await outbox.nextBatch(1, 1_000_000);
    expect(await outbox.list()).toHaveLength(2);
    await outbox.acknowledge(batch);
    expect(await outbox.list()).toHaveLength(1);
  });

  it('quarantines with the server reason, and hands back the drop count the report carried', async () => {
    const outbox = await Outbox.open(dir, { maxCount: 1, maxBytes: 10_000_000 });
    await outbox.add(makeReport());
    await outbox.add(makeReport()); // drops the first
    await outbox.add(makeReport()); // drops the second; this one carries 1
    const [entry] = await outbox.nextBatch(500, 1_000_000);
    expect(entry?.report.droppedSinceLastDelivery).toBe(1);
    expect(outbox.droppedCount).toBe(1);
    await outbox.quarantine([entry!], 'invalid_input: reports.0.collectedAt: an ISO 8601 date-time');
    expect(await outbox.list()).toHaveLength(0);
    expect(outbox.droppedCount).toBe(2);
    const [name] = await outbox.quarantined();
    expect(name).toBe(entry?.name);
    const reason = await readFile(join(dir, 'quarantine', name!.replace('.json', '.reason.txt')), 'utf8');
    expect(reason).toContain('reports.0.collectedAt');
  });

  it('quarantines a file that no longer parses instead of blocking the queue', async () => {
    const outbox = await Outbox.open(dir, big);
    await outbox.add(makeReport());
    const good = makeReport();
    await outbox.add(good);
    const [first] = await outbox.list();
    await writeFile(join(dir, 'outbox', first!.name), '{"not a report"');
    const batch = await outbox.nextBatch(500, 1_000_000);
    expect(batch.map((q) => q.report.id)).toEqual([good.id]);
    expect(await outbox.quarantined()).toEqual([first!.name]);
  });

  it('sees reports another agent process queued (an admin running `once` beside the service)', async () => {
    const service = await Outbox.open(dir, big);
    await service.add(makeReport());
    const admin = await Outbox.open(dir, big);
    const fromAdmin = makeReport();
    await admin.add(fromAdmin);
    const batch = await service.nextBatch(500, 1_000_000);
    expect(batch.map((q) => q.report.id)).toContain(fromAdmin.id);
    await admin.acknowledge(await admin.nextBatch(500, 1_000_000));
    expect(await service.nextBatch(500, 1_000_000)).toEqual([]);
  });
});
