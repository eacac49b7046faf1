import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { idParams } from '../../shared/schemas/route-params.ts';
import { csrfOnlyFormSchema, enrollmentTokenFormSchema } from '../../shared/schemas/dashboard.ts';
import { requireCsrf } from '../accounts/page-auth.ts';
import { assertCanSeeSchool, assertRole, listScope } from '../access/scope.ts';
import { userActor } from '../audit/audit.ts';
import type { AppEnv } from '../http/app-env.ts';
import {
  findEnrollmentTokenSchool,
  findSchool,
  readRecentEnrollmentTokens,
  readSchoolChoices,
} from '../coverage/registry-read.ts';
import { createEnrollmentToken, revokeEnrollmentToken, type NewEnrollmentToken } from '../enrollment/tokens.ts';
import { DomainError } from '../errors.ts';
import { trustedReleaseKeys } from '../releases/release-keys.ts';
import { agentOnOffer } from '../releases/agent-downloads.ts';
import { releaseKeyFingerprint } from '../../shared/schemas/release-keys.ts';
import { keepForm, type FormProblem } from '../http/form-problem.ts';
import { validate } from '../http/validate.ts';
import { DAY_MS } from '../../shared/time/china-time.ts';
import { EnrollmentPage, tokenColumns } from '../views/enrollment-page.tsx';
import { exportFormatOf, exportPaths, tableExport } from '../views/table.tsx';

async function page(
  c: Context<AppEnv>,
  created: NewEnrollmentToken | null,
  problem: FormProblem | null,
  revoked = false,
  prefillSchool: string | null = null,
) {
  assertRole(c.get('user'), 'bureau', 'county');
  const scope = listScope(c.get('user'));
  return EnrollmentPage({
    locale: c.get('locale'),
    viewer: c.get('viewer'),
    path: c.req.path,
    schools: await readSchoolChoices(c.get('store'), scope),
    tokens: await readRecentEnrollmentTokens(c.get('store'), scope),
    created,
    serverUrl: c.get('publicUrl') ?? new URL(c.req.url).origin,
    publicUrlSet: c.get('publicUrl') !== undefined,
    prefillSchool,
    releaseKeyFingerprints: (await trustedReleaseKeys(c.get('store'))).map(releaseKeyFingerprint),
    onOffer: await agentOnOffer(c.get('store'), c.get('agentDownloadDir')),
    problem,
    revoked,
  });
}

/**
 * The school a form names, by its code or, as the field's suggestions show names, by its exact name when one
 * school in the reader's scope has it (issue 18: 注册令牌 typed by name was refused as an unknown code).
 */
async function schoolNamed(c: Context<AppEnv>, typedSchool: string) {
  const byCode = await findSchool(c.get('store'), typedSchool);
  if (byCode) return byCode;
  const named = (await readSchoolChoices(c.get('store'), listScope(c.get('user')))).filter(
    (s) => s.name === typedSchool,
  );
  const byName = named.length === 1 ? await findSchool(c.get('store'), named[0]!.code) : undefined;
  if (byName) return byName;
  throw new DomainError('invalid', 'school_unknown', `no school with code ${typedSchool}`, undefined, {
    params: { school: typedSchool },
  });
}

/** Enrollment tokens: county officers for their county's schools, the bureau for any school. */
export const dashboardEnrollmentRoutes = new Hono<AppEnv>()
  .get(
    '/enrollment',
    // `school`: the school page's "issue a token for this school" link fills in the school.
    validate('query', z.object({ revoked: z.literal('1').optional(), school: z.string().max(64).optional() })),
    (c) => {
      const q = c.req.valid('query');
      return c.html(page(c, null, null, q.revoked === '1', q.school ?? null));
    },
  )
  .post(
    '/enrollment/tokens/:id/revoke',
    requireCsrf,
    keepForm((c, problem) => page(c, null, problem)),
    validate('param', idParams),
    validate('form', csrfOnlyFormSchema),
    async (c) => {
      assertRole(c.get('user'), 'bureau', 'county');
      const { id } = c.req.valid('param');
      const school = await findEnrollmentTokenSchool(c.get('store'), id);
      if (!school)
        throw new DomainError('not-found', 'enrollment_token_unknown', `no enrollment token ${id}`, undefined, {
          params: { id },
        });
      assertCanSeeSchool(c.get('user'), school);
      if (
        !(await revokeEnrollmentToken(c.get('store'), id, c.get('clock')(), {
          actor: userActor(c.get('user').username),
          reason: 'enrollment token revoked from the dashboard',
        }))
      ) {
        throw new DomainError(
          'conflict',
          'enrollment_token_revoked',
          `enrollment token ${id} is already revoked`,
          undefined,
          {
            params: { id },
          },
        );
      }
      c.get('logger').info(
        { tokenId: id, school: school.code, by: c.get('user').username },
        'enrollment token revoked from the dashboard',
      );
      return c.redirect('/enrollment?revoked=1', 303);
    },
  )
  .on('GET', exportPaths('/enrollment/tokens'), async (c) => {
    assertRole(c.get('user'), 'bureau', 'county');
    return tableExport(
      c.get('locale'),
      exportFormatOf(c.req.path),
      'enrollment-tokens',
      tokenColumns(c.get('locale')),
      await readRecentEnrollmentTokens(c.get('store'), listScope(c.get('user'))),
    );
  })
  .post(
    '/enrollment',
    requireCsrf,
    keepForm((c, problem) => page(c, null, problem)),
    validate('form', enrollmentTokenFormSchema),
    async (c) => {
      assertRole(c.get('user'), 'bureau', 'county');
      const form = c.req.valid('form');
      const school = await schoolNamed(c, form.schoolCode);
      assertCanSeeSchool(c.get('user'), school);
      const now = c.get('clock')();
      const created = await createEnrollmentToken(
        c.get('store'),
        {
          schoolCode: school.code,
          expiresAt: form.expiresInDays === undefined ? undefined : now + form.expiresInDays * DAY_MS,
          maxUses: form.maxUses,
        },
        now,
        { actor: userActor(c.get('user').username), reason: 'enrollment token issued from the dashboard' },
      );
      c.get('logger').info(
        { tokenId: created.id, school: school.code, by: c.get('user').username },
        'enrollment token created from the dashboard',
      );
      // Rendered in the answer to the post, not after a redirect: the token exists only in this response.
      return c.html(page(c, created, null), 201);
    },
  );
