import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { enrollRequestSchema, enrollResponseSchema } from '../../shared/schemas/enroll.ts';
import { apiErrorSchema } from '../../shared/schemas/error.ts';
import type { AppEnv } from '../http/app-env.ts';
import { enrollDevice } from '../enrollment/enroll.ts';
import { DomainError } from '../errors.ts';
import type { RouteDoc } from '../http/openapi-registry.ts';
import { validate } from '../http/validate.ts';

const ENROLL_BODY_LIMIT = 16 * 1024;

export const enrollRoutes = new Hono<AppEnv>().post(
  '/api/v1/enroll',
  bodyLimit({
    maxSize: ENROLL_BODY_LIMIT,
    onError: () => {
      throw new DomainError(
        'too-large',
        'body_too_large',
        `an enrollment request is at most ${ENROLL_BODY_LIMIT} bytes`,
      );
    },
  }),
  validate('json', enrollRequestSchema),
  async (c) => {
    const enrolled = await enrollDevice(c.get('store'), c.req.valid('json'), c.get('clock')());
    c.get('logger').info(
      { deviceId: enrolled.deviceId, school: enrolled.school.code, reused: enrolled.reused },
      'device enrolled',
    );
    return c.json(enrolled, 201);
  },
);

export const enrollDocs: RouteDoc[] = [
  {
    method: 'post',
    path: '/api/v1/enroll',
    summary: 'Enroll a school PC with a per-school enrollment token; returns its device key once',
    tag: 'agent',
    auth: 'none',
    body: enrollRequestSchema,
    responses: {
      201: {
        description:
          'enrolled, or re-enrolled (same SMBIOS UUID or serial at the same school: ' +
          'the previous key works until this one reports)',
        schema: enrollResponseSchema,
      },
      400: { description: 'invalid request; issues name each bad field', schema: apiErrorSchema },
      401: { description: 'token unknown, revoked, expired or used up (code says which)', schema: apiErrorSchema },
      413: { description: 'body too large', schema: apiErrorSchema },
    },
  },
];
