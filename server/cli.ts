import fs from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { readPassword } from './accounts/password-input.ts';
import { createUser } from './accounts/users.ts';
import { createApiToken, revokeApiToken } from './auth/api-tokens.ts';
import { parseServerConfig } from './config.ts';
import { openDatabase, type Db } from './db/client.ts';
import { revokeDevice } from './enrollment/enroll.ts';
import {
  createEnrollmentToken,
  DEFAULT_EXTRA_USES,
  DEFAULT_TOKEN_DAYS,
  parseDuration,
  revokeEnrollmentToken,
} from './enrollment/tokens.ts';
import { MAX_TOKEN_DAYS, MAX_TOKEN_USES } from '../shared/schemas/enroll.ts';
import { DomainError } from './errors.ts';
import { startServer } from './index.ts';
import { PlanError } from './plan/current.ts';
import { ensureReferenceData, importPlan, parsePlanFile } from './plan/plan.ts';
import { runImportSchools } from './registry/import-schools.ts';
import { runPlatformCommand } from './programme/platform-commands.ts';
import { runImportTeacherSpaces } from './programme/teacher-spaces-import.ts';
import { verifyCoverage } from './coverage/verify.ts';
import { backupDatabase } from './db/backup.ts';
import { runProgrammeCommand } from './programme/programme-commands.ts';
import { runOfflineReleaseCommand, runPublishCommand, runReleaseKeyCommand } from './commands/releases.ts';
import { DAY_MS } from './time/china-time.ts';

const usage = `santong — school connectivity rollout, measured

usage: santong <command> [options]        (every command takes --data-dir DIR, or SANTONG_DATA_DIR; default ./data)

  serve [--port N] [--host H] [--log-level L]     run the server (npm start)
  plan import FILE.json                           replace the plan and the division tree it names
  import-schools FILE.csv|FILE.xlsx               add or update schools from a roster (all or nothing)
  import-teacher-spaces FILE.csv|FILE.xlsx        declared teachers, spaces opened and verified per school (all or nothing)
  platform add --kind resource|management --level prefecture|county|centre-school --owner CODE --name N --url U [--built-on YYYY-MM-DD]
  platform update --id N [--name N] [--url U] [--built-on YYYY-MM-DD|none] [--kind K] [--level L] [--owner CODE]
  platform remove --id N                          drop a platform and its probe history
  platform list | platform probe                  the registry with measured status; probe every URL now
  enrollment-token create --school CODE [--expires-in 21d] [--max-uses N]
                                                  defaults: ${DEFAULT_TOKEN_DAYS} days, the school's classrooms + ${DEFAULT_EXTRA_USES} uses;
                                                  at most ${MAX_TOKEN_DAYS}d and ${MAX_TOKEN_USES} uses
  enrollment-token revoke --id N
  api-token create --name NAME [--county CODE]    a bureau API token; --county confines it to one county
  api-token revoke --id N
  device revoke --id DEVICE_ID                    refuse this device's key from now on
  release keygen --out KEY                        (offline) a new release key: KEY is 0600; prints the public key and fingerprint
  release sign BUNDLE --key KEY [--out SIG]       (offline) sign an agent bundle: writes BUNDLE.sig
  release endorse --key KEY --public-key NEW --out STATEMENT   (offline) KEY vouches for NEW: a rotation agents follow
  release revoke --key KEY --out STATEMENT        (offline) KEY withdraws itself; agents never trust it again
  release-key add PUBLIC_KEY [--statement FILE]   trust a release key (a rotation with endorse's statement)
  release-key revoke --statement FILE | release-key list
  release-key export-legacy --out KEY             move the private key older servers kept in the database to KEY
  agent-release publish BUNDLE [--signature SIG]  publish a bundle signed offline (BUNDLE.sig); enrolled agents update to it
  verify                                          recompute every figure from raw reports and compare
  backup FILE                                     online copy of the database, safe while serving; restore: stop the
                                                  server, put FILE at DATA_DIR/santong.sqlite (no -wal/-shm beside it)
  closure add --name N --from DATE --to DATE [--county C] --reason R | closure list | closure remove --id N
  declaration add --school S --indicator connected|equipped [--classroom C] --reason R
  declaration withdraw --id N --reason R | declaration list [--county C]
  inspection sample --per-county N --seed S       draw a reproducible spot-check sample
  inspection checklist --id N > checklist.html    printable checklist with each school's evidence
  user create --username U --role bureau|county|school [--county CODE] [--school CODE]
                                                  a dashboard account; the password is read from stdin
`;

/** A problem with how the command was called: printed with the usage, exit code 2. */
class UsageError extends Error {}

type Flags = Record<string, string | undefined>;

function parse(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      'data-dir': { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      'log-level': { type: 'string' },
      school: { type: 'string' },
      'expires-in': { type: 'string' },
      'max-uses': { type: 'string' },
      name: { type: 'string' },
      county: { type: 'string' },
      id: { type: 'string' },
      key: { type: 'string' },
      out: { type: 'string' },
      'public-key': { type: 'string' },
      statement: { type: 'string' },
      signature: { type: 'string' },
      reason: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      indicator: { type: 'string' },
      classroom: { type: 'string' },
      seed: { type: 'string' },
      'per-county': { type: 'string' },
      username: { type: 'string' },
      role: { type: 'string' },
      kind: { type: 'string' },
      level: { type: 'string' },
      owner: { type: 'string' },
      url: { type: 'string' },
      'built-on': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  return { flags: values as Flags & { help?: boolean }, positionals };
}

function required(flags: Flags, name: string): string {
  const value = flags[name];
  if (!value) throw new UsageError(`--${name} is required`);
  return value;
}

function positiveInteger(flags: Flags, name: string): number | null {
  const text = flags[name];
  if (text === undefined) return null;
  if (!/^\d+$/.test(text) || Number(text) < 1)
    throw new UsageError(`--${name} takes a whole number ≥ 1, not "${text}"`);
  return Number(text);
}

/** The person at the terminal, as the audit log names them. */
function cliActor(): string {
  return `cli:${os.userInfo().username}`;
}

function requiredInteger(flags: Flags, name: string): number {
  required(flags, name);
  return positiveInteger(flags, name)!;
}

/**
 * Opens the database (migrating it) with the reference data present, as the server would. A plan
 * import into a fresh directory skips the reference data, so another prefecture starts with its own.
 */
function database(flags: Flags, withReferenceData = true): Db {
  const config = parseServerConfig(flags, process.env);
  const db = openDatabase(config.dataDir);
  if (withReferenceData) ensureReferenceData(db, Date.now());
  return db;
}

async function run(argv: string[]): Promise<number> {
  const { flags, positionals } = parse(argv);
  const [command, sub, arg] = positionals;
  if (flags.help || !command || command === 'help') {
    process.stdout.write(usage);
    return command || flags.help ? 0 : 2;
  }
  const now = Date.now();
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const grouped = [
    'plan',
    'enrollment-token',
    'api-token',
    'device',
    'user',
    'platform',
    'agent-release',
    'release',
    'release-key',
    'closure',
    'declaration',
    'inspection',
  ].includes(command);
  switch (grouped ? `${command} ${sub ?? ''}` : command) {
    case 'serve': {
      const server = await startServer(parseServerConfig(flags, process.env));
      const stop = () => void server.close().then(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      return -1;
    }
    case 'plan import': {
      if (!arg) throw new UsageError('plan import needs a FILE.json');
      const { plan, errors } = parsePlanFile(arg);
      if (!plan) {
        errors.forEach((e) => process.stderr.write(`${e}\n`));
        return 1;
      }
      importPlan(database(flags, false), plan, `file: ${arg}`, now, {
        actor: cliActor(),
        reason: flags.reason ?? `plan import ${arg}`,
      });
      say(`plan "${plan.name}" imported: prefecture ${plan.prefecture.code} with ${plan.counties.length} counties`);
      return 0;
    }
    case 'import-schools': {
      if (!sub || !fs.existsSync(sub))
        throw new UsageError(`import-schools needs a roster file that exists${sub ? `: ${sub} not found` : ''}`);
      const result = await runImportSchools(database(flags), sub, now, {
        actor: cliActor(),
        reason: flags.reason ?? `import-schools ${sub}`,
      });
      result.output.forEach((line) => (result.exitCode === 0 ? say(line) : process.stderr.write(`${line}\n`)));
      return result.exitCode;
    }
    case 'import-teacher-spaces': {
      if (!sub || !fs.existsSync(sub))
        throw new UsageError(`import-teacher-spaces needs a file that exists${sub ? `: ${sub} not found` : ''}`);
      const result = await runImportTeacherSpaces(database(flags), sub, now, {
        actor: cliActor(),
        reason: flags.reason ?? `import-teacher-spaces ${sub}`,
      });
      result.output.forEach((line) => (result.exitCode === 0 ? say(line) : process.stderr.write(`${line}\n`)));
      return result.exitCode;
    }
    case 'platform add':
    case 'platform update':
    case 'platform remove':
    case 'platform list':
    case 'platform probe': {
      const audit = { actor: cliActor(), reason: flags.reason ?? `platform ${sub} by command line` };
      const lines = await runPlatformCommand(
        database(flags),
        sub!,
        flags,
        audit,
        now,
        parseServerConfig(flags, process.env).probeTimeoutMs,
      );
      lines.forEach(say);
      return 0;
    }
    case 'enrollment-token create': {
      const expiresIn = flags['expires-in'] === undefined ? undefined : parseDuration(flags['expires-in']);
      if (
        expiresIn === null ||
        (expiresIn !== undefined && (expiresIn < 60_000 || expiresIn > MAX_TOKEN_DAYS * DAY_MS))
      ) {
        throw new UsageError(`--expires-in takes a duration from 1m to ${MAX_TOKEN_DAYS}d such as 30d, 12h or 90m`);
      }
      const maxUses = positiveInteger(flags, 'max-uses') ?? undefined;
      if (maxUses !== undefined && maxUses > MAX_TOKEN_USES)
        throw new UsageError(`--max-uses takes a whole number from 1 to ${MAX_TOKEN_USES}`);
      const created = createEnrollmentToken(
        database(flags),
        {
          schoolCode: required(flags, 'school'),
          expiresAt: expiresIn === undefined ? undefined : now + expiresIn,
          maxUses,
        },
        now,
        { actor: cliActor(), reason: flags.reason ?? 'enrollment token issued' },
      );
      say(`enrollment token #${created.id} for ${created.school.code} ${created.school.name}`);
      say(
        `expires: ${created.expiresAt === null ? 'never' : new Date(created.expiresAt).toISOString()}; uses: ${created.maxUses ?? 'unlimited'}`,
      );
      say(created.token);
      return 0;
    }
    case 'enrollment-token revoke':
      return revokeEnrollmentToken(database(flags), requiredInteger(flags, 'id'), now, {
        actor: cliActor(),
        reason: flags.reason ?? 'enrollment token revoked',
      })
        ? 0
        : fail('no such enrollment token');
    case 'api-token create': {
      const created = createApiToken(
        database(flags),
        { name: required(flags, 'name'), countyCode: flags.county ?? null },
        now,
        { actor: cliActor(), reason: flags.reason ?? 'API token issued' },
      );
      say(
        `API token #${created.id} "${flags.name}" (${flags.county ? `county ${flags.county} only` : 'whole prefecture'})`,
      );
      say(created.token);
      return 0;
    }
    case 'api-token revoke':
      return revokeApiToken(database(flags), requiredInteger(flags, 'id'), now, {
        actor: cliActor(),
        reason: flags.reason ?? 'API token revoked',
      })
        ? 0
        : fail('no such active API token');
    case 'device revoke': {
      const device = revokeDevice(database(flags), required(flags, 'id'), now, {
        actor: cliActor(),
        reason: flags.reason ?? 'device key revoked',
      });
      say(`device ${flags.id} at school ${device.schoolCode} revoked`);
      return 0;
    }
    case 'user create': {
      const username = required(flags, 'username');
      const role = required(flags, 'role') as 'bureau' | 'county' | 'school';
      const db = database(flags);
      const password = await readPassword();
      const user = await createUser(
        db,
        { username, password, role, countyCode: flags.county, schoolCode: flags.school },
        now,
        { actor: cliActor(), reason: flags.reason ?? 'dashboard account created' },
      );
      say(
        `user #${user.id} ${user.username} created: ${user.role}${user.schoolCode ? `, school ${user.schoolCode}` : user.countyCode ? `, county ${user.countyCode}` : ', whole prefecture'}`,
      );
      return 0;
    }
    case 'closure add':
    case 'closure list':
    case 'closure remove':
    case 'declaration add':
    case 'declaration withdraw':
    case 'declaration list':
    case 'inspection sample':
    case 'inspection checklist': {
      const lines = runProgrammeCommand(
        database(flags),
        command,
        sub,
        flags,
        { actor: cliActor(), reason: flags.reason ?? `${command} ${sub}` },
        now,
      );
      lines?.forEach(say);
      return 0;
    }
    case 'verify': {
      const result = verifyCoverage(database(flags), now);
      result.differences.forEach((d) => process.stderr.write(`${d}\n`));
      const { schools, classrooms, devices, counties } = result.checked;
      say(
        `verified ${schools} schools, ${classrooms} classrooms, ${devices} devices, ${counties} counties: ${result.differences.length} differences`,
      );
      return result.differences.length === 0 ? 0 : 1;
    }
    case 'backup': {
      if (!sub) throw new UsageError('backup needs a FILE to write');
      const result = await backupDatabase(parseServerConfig(flags, process.env).dataDir, sub);
      say(`backup written to ${result.file}: ${result.bytes} bytes, integrity ${result.integrity}`);
      return 0;
    }
    case 'release keygen':
    case 'release sign':
    case 'release endorse':
    case 'release revoke':
      runOfflineReleaseCommand(sub!, arg, flags).forEach(say);
      return 0;
    case 'release-key add':
    case 'release-key revoke':
    case 'release-key list':
    case 'release-key export-legacy': {
      const audit = { actor: cliActor(), reason: flags.reason ?? `release-key ${sub}` };
      runReleaseKeyCommand(database(flags), sub!, arg, flags, audit, now).forEach(say);
      return 0;
    }
    case 'agent-release publish': {
      if (!arg) throw new UsageError('agent-release publish needs a bundle file');
      runPublishCommand(
        database(flags),
        arg,
        flags,
        { actor: cliActor(), reason: flags.reason ?? `agent-release publish ${arg}` },
        now,
      ).forEach(say);
      return 0;
    }
    default:
      throw new UsageError(`unknown command: ${positionals.join(' ')}`);
  }
}

function fail(message: string): number {
  process.stderr.write(`santong: ${message}\n`);
  return 1;
}

run(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    if (
      error instanceof UsageError ||
      (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))
    ) {
      process.stderr.write(`santong: ${error.message}\n\n${usage}`);
      process.exitCode = 2;
    } else if (
      error instanceof DomainError ||
      error instanceof PlanError ||
      (error instanceof Error && error.message.startsWith('invalid server settings'))
    ) {
      process.exitCode = fail(error.message);
    } else {
      process.stderr.write(`santong: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
      process.exitCode = 1;
    }
  },
);
