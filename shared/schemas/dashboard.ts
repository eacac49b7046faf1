import { z } from 'zod';
import { divisionCodeSchema } from './division-code.ts';
import { MAX_TOKEN_DAYS, MAX_TOKEN_USES } from './enroll.ts';

/** Inputs of the dashboard's forms and of `santong user create`; every form also carries its CSRF token. */
export const roles = ['bureau', 'county', 'school'] as const;
export type Role = (typeof roles)[number];

export const usernameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(
    /^[a-z0-9][a-z0-9._-]{2,63}$/,
    '3–64 letters, digits, dots, dashes or underscores, starting with a letter or digit',
  );

export const passwordSchema = z.string().min(10, 'at least 10 characters').max(256, 'at most 256 characters');

export const newUserSchema = z
  .object({
    username: usernameSchema,
    password: passwordSchema,
    role: z.enum(roles),
    /** A county account's county; a bureau account's division (absent: the whole deployment). */
    divisionCode: divisionCodeSchema.optional(),
    schoolCode: z.string().trim().min(1).max(64).optional(),
  })
  .superRefine((u, ctx) => {
    if (u.role === 'county' && !u.divisionCode)
      ctx.addIssue({
        code: 'custom',
        path: ['divisionCode'],
        message: 'a county account needs its county',
        params: { problem: 'countyNeeded' },
      });
    if (u.role === 'school' && !u.schoolCode)
      ctx.addIssue({
        code: 'custom',
        path: ['schoolCode'],
        message: 'a school account needs its school',
        params: { problem: 'schoolNeeded' },
      });
  });
export type NewUser = z.infer<typeof newUserSchema>;

/** The CSRF token every dashboard form carries. */
export const csrf = z.string().min(1, 'the form has expired; reload the page').max(200);

/** Empty form fields arrive as ''; treat them as absent. */
export const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

export const loginFormSchema = z.object({
  _csrf: csrf,
  username: z.string().trim().min(1).max(64),
  password: z.string().min(1).max(256),
  next: optional(z.string().max(500)),
});

export const userFormSchema = z.object({
  _csrf: csrf,
  username: z.string(),
  password: z.string(),
  role: z.string(),
  countyCode: optional(z.string()),
  schoolCode: optional(z.string()),
});

export const apiTokenFormSchema = z.object({
  _csrf: csrf,
  name: z.string().trim().min(1, 'a name that says who uses the token').max(100),
  countyCode: optional(divisionCodeSchema),
});

export const enrollmentTokenFormSchema = z.object({
  _csrf: csrf,
  schoolCode: z.string().trim().min(1).max(64),
  expiresInDays: optional(z.coerce.number().int().min(1).max(MAX_TOKEN_DAYS)),
  maxUses: optional(z.coerce.number().int().min(1).max(MAX_TOKEN_USES)),
});

export const csrfOnlyFormSchema = z.object({ _csrf: csrf });
