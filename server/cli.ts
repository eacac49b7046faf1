import { parseArgs } from 'node:util';
import { parseServerConfig } from './config.ts';
import { startServer } from './index.ts';
import { DEFAULT_EXTRA_USES, DEFAULT_TOKEN_DAYS } from './enrollment/tokens.ts';
import { MAX_TOKEN_DAYS, MAX_TOKEN_USES } from '../shared/schemas/enroll.ts';
import { DomainError } from './errors.ts';
import { PlanError } from './plan/current.ts';
import { RootError } from './divisions/deployment.ts';
import { apiTokenCreate, apiTokenRevoke } from './commands/api-tokens.ts';
import { backupCommand } from './commands/backup.ts';
import { closureAdd, closureList, closureRemove } from './commands/closures.ts';
import { fail, UsageError, type Command, type Flags } from './commands/command-line.ts';
import { divisionsUpdate } from './commands/divisions.ts';
import { declarationAdd, declarationList, declarationWithdraw } from './commands/declarations.ts';
import { deviceRevoke, enrollmentTokenCreate, enrollmentTokenRevoke } from './commands/enrollment.ts';
import { inspectionChecklist, inspectionSample } from './commands/inspections.ts';
import { planImport } from './commands/plan.ts';
import { platformCommand } from './commands/platforms.ts';
import {
  agentReleaseOffer,
  agentReleasePublish,
  offlineReleaseCommand,
  releaseKeyCommand,
} from './commands/releases.ts';
import { migrateToPostgresCommand } from './commands/migrate-to-postgres.ts';
import { importSchoolsCommand } from './commands/schools.ts';
import { importTeacherSpacesCommand } from './commands/teacher-spaces.ts';
import { userCreate } from './commands/users.ts';
import { verifyCommand } from './commands/verify.ts';

/*
 * The command line's dispatcher: the usage text and one line per command. Each command lives in
 * server/commands/ (parse flags → domain rule → print), as each API feature lives in server/routes/.
 */

const usage = `santong — school connectivity rollout, measured

usage: santong <command> [options]        (every command takes --data-dir DIR, or SANTONG_DATA_DIR; default ./data,
                                           and --root CODE, or SANTONG_ROOT_DIVISION: the deployment's root
                                           division, 000000 / a province / a prefecture, default 622900 Linxia,
                                           stored at first use)

  serve [--port N] [--host H] [--log-level L] [--public-url URL]
                                                  run the server (npm start); URL: where school PCs reach it
  plan import FILE.json                           replace the plan (targets, rules, division names) for the root
  divisions update FILE.tsv [--dry-run] [--successors OLD=NEW,…]
                                                  apply a newer edition of the division reference (all or nothing)
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
  api-token create --name NAME [--division CODE]  a bureau API token; --division (or --county) confines it to a division
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
  agent-release offer FILE [--signature SIG]      offer a signed installer, .deb or executable (FILE.sig) for download on the dashboard
  verify                                          recompute every figure from raw reports and compare
  backup FILE                                     online copy of the database, safe while serving; restore: stop the
                                                  server, put FILE at DATA_DIR/santong.sqlite (no -wal/-shm beside it)
  migrate-to-postgres --database-url postgres://… copy this SQLite deployment into an empty PostgreSQL database and
                                                  compare every table's row count (stop the server first)
  closure add --name N --from DATE --to DATE [--county C] --reason R | closure list | closure remove --id N
  declaration add --school S --indicator connected|equipped [--classroom C] --reason R
  declaration withdraw --id N --reason R | declaration list [--county C]
  inspection sample --per-county N --seed S       draw a reproducible spot-check sample
  inspection checklist --id N > checklist.html    printable checklist with each school's evidence
  user create --username U --role bureau|county|school [--division CODE] [--school CODE]
                                                  a dashboard account; the password is read from stdin
`;

function parse(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      'data-dir': { type: 'string' },
      'database-url': { type: 'string' },
      root: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      'log-level': { type: 'string' },
      'public-url': { type: 'string' },
      school: { type: 'string' },
      'expires-in': { type: 'string' },
      'max-uses': { type: 'string' },
      name: { type: 'string' },
      county: { type: 'string' },
      division: { type: 'string' },
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
      'dry-run': { type: 'boolean' },
      successors: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  return { flags: values as Flags & { help?: boolean }, positionals };
}

/**
 * `santong serve`: runs until SIGINT or SIGTERM, then closes the listening socket, the jobs and the database
 * and exits 0; a second signal while that waits on a request exits at once. Here and not in commands/: the
 * server it starts is assembled by index.ts, which sits above commands/ in the layers. npm's scripts `exec` it,
 * so `kill -TERM` of `npm start` reaches this process rather than the shell npm runs it in.
 */
const serveCommand: Command = async ({ flags }) => {
  const server = await startServer(parseServerConfig(flags, process.env));
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    server.logger.info({ signal }, 'santong server stopping');
    void server.close().then(() => {
      server.logger.info('santong server stopped');
      process.exit(0);
    });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return -1;
};

/** Every command, by its words: `COMMAND` alone, or `COMMAND SUB` for the grouped ones. */
const commands: Record<string, Command> = {
  serve: serveCommand,
  'plan import': planImport,
  'divisions update': divisionsUpdate,
  'import-schools': importSchoolsCommand,
  'import-teacher-spaces': importTeacherSpacesCommand,
  'platform add': platformCommand,
  'platform update': platformCommand,
  'platform remove': platformCommand,
  'platform list': platformCommand,
  'platform probe': platformCommand,
  'enrollment-token create': enrollmentTokenCreate,
  'enrollment-token revoke': enrollmentTokenRevoke,
  'api-token create': apiTokenCreate,
  'api-token revoke': apiTokenRevoke,
  'device revoke': deviceRevoke,
  'user create': userCreate,
  'closure add': closureAdd,
  'closure list': closureList,
  'closure remove': closureRemove,
  'declaration add': declarationAdd,
  'declaration withdraw': declarationWithdraw,
  'declaration list': declarationList,
  'inspection sample': inspectionSample,
  'inspection checklist': inspectionChecklist,
  verify: verifyCommand,
  backup: backupCommand,
  'migrate-to-postgres': migrateToPostgresCommand,
  'release keygen': offlineReleaseCommand,
  'release sign': offlineReleaseCommand,
  'release endorse': offlineReleaseCommand,
  'release revoke': offlineReleaseCommand,
  'release-key add': releaseKeyCommand,
  'release-key revoke': releaseKeyCommand,
  'release-key list': releaseKeyCommand,
  'release-key export-legacy': releaseKeyCommand,
  'agent-release publish': agentReleasePublish,
  'agent-release offer': agentReleaseOffer,
};

/** Commands whose second word names what to do (`plan import`); the others take a file or nothing. */
const grouped = new Set(Object.keys(commands).flatMap((words) => (words.includes(' ') ? [words.split(' ')[0]!] : [])));

async function run(argv: string[]): Promise<number> {
  const { flags, positionals } = parse(argv);
  const [command, sub, arg] = positionals;
  if (flags.help || !command || command === 'help') {
    process.stdout.write(usage);
    return command || flags.help ? 0 : 2;
  }
  const words = grouped.has(command) ? `${command} ${sub ?? ''}` : command;
  // Own keys only: `santong constructor` is an unknown command, not Object's.
  const handler = Object.hasOwn(commands, words) ? commands[words] : undefined;
  if (!handler) throw new UsageError(`unknown command: ${positionals.join(' ')}`);
  const say = (line: string) => process.stdout.write(`${line}\n`);
  return handler({ flags, sub, arg, now: Date.now(), say });
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
      error instanceof RootError ||
      (error instanceof Error && error.message.startsWith('invalid server settings'))
    ) {
      process.exitCode = fail(error.message);
    } else {
      process.stderr.write(`santong: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
      process.exitCode = 1;
    }
  },
);
