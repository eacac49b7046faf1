import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { apiErrorSchema } from '../../shared/schemas/error.ts';
import { reportBatchResultSchema, reportBatchSchema } from '../../shared/schemas/report.ts';
import type { AppEnv } from '../http/app-env.ts';
import { deviceAuth } from '../auth/middleware.ts';
import { DomainError } from '../errors.ts';
import type { RouteDoc } from '../http/openapi-registry.ts';
import { validate } from '../http/validate.ts';
import type { ReportCommitter } from '../ingest/group-commit.ts';
import { IngestWriterStoppedError } from '../ingest/writer-thread.ts';

/**
 * Report ingest for agents; batches commit in groups (see GroupCommitter), each answered once durable, on the
 * server's own thread or, on SQLite, the writer thread (server/ingest/writer-thread.ts).
 */
export const reportRoutes = (committer: ReportCommitter) =>
  new Hono<AppEnv>().post(
    '/api/v1/reports',
    deviceAuth,
    (c, next) =>
      bodyLimit({
        maxSize: c.get('maxReportBodyBytes'),
        onError: () => {
          throw new DomainError(
            'too-large',
            'body_too_large',
            `a report batch is at most ${c.get('maxReportBodyBytes')} bytes; send fewer reports per batch`,
          );
        },
      })(c, next),
    validate('json', reportBatchSchema),
    async (c) => {
      const { reports } = c.req.valid('json');
      // The answer goes out only after the transaction holding the batch has committed: a 200 is durable.
      try {
        const result = await committer.submit(c.get('device'), reports, c.get('clock')());
        return c.json(result, 200);
      } catch (error) {
        if (!(error instanceof IngestWriterStoppedError)) throw error;
        // Not stored, or stored without an answer: the agent sends the batch again, and report ids count it once.
        c.header('retry-after', '1');
        return c.json({ error: error.message, code: 'writer_stopped' }, 503);
      }
    },
  );

export const reportDocs: RouteDoc[] = [
  {
    method: 'post',
    path: '/api/v1/reports',
    summary: 'Deliver a batch of 1–500 reports; each report id is counted once however often it is sent',
    tag: 'agent',
    auth: 'device-key',
    body: reportBatchSchema,
    responses: {
      200: { description: 'the batch is committed to disk', schema: reportBatchResultSchema },
      400: { description: 'malformed batch; nothing stored; issues name each bad field', schema: apiErrorSchema },
      401: { description: 'device key missing, unknown or revoked', schema: apiErrorSchema },
      413: { description: 'body over the size limit (rejected before parsing)', schema: apiErrorSchema },
    },
  },
];
