/** `npm run ops -- <command> [options]`: the command line, parsed and validated. */
import { parseArgs } from 'node:util';
import { isSourceTableName, SOURCE_TABLE_NAMES, type SourceTableName } from '../lambdas/core/schema';
import type { SslMode } from '../lambdas/environment';
import { warehouseSchemaProblem } from '../lambdas/core/warehouse';
import { LOCAL_WAREHOUSE_PORT } from './local-warehouse';
import { DEFAULT_PLACEHOLDER_AGE_SECONDS } from './status-placeholders';
import { UsageError } from '../lambdas/core/errors';

const COMMANDS = ['status', 'replay', 'reconcile'] as const;
type CommandName = (typeof COMMANDS)[number];

type TargetOptions =
  | {
      readonly kind: 'local';
      readonly stateDir: string;
      readonly inputDir?: string;
      readonly databaseUrl?: string;
      readonly port: number;
      readonly warehouseSchema?: string;
    }
  | {
      readonly kind: 'stack';
      readonly stackName: string;
      readonly region?: string;
      readonly ingestionPrefix?: string;
      readonly databaseUrl?: string;
      readonly dbSsl?: SslMode;
      readonly dbCaBundle?: string;
      /** Overrides the load function's WAREHOUSE_SCHEMA. */
      readonly warehouseSchema?: string;
    };

type ReplayOptions =
  | {
      readonly kind: 'transform';
      readonly table: SourceTableName;
      readonly from: number;
      readonly to?: number;
      readonly dryRun: boolean;
      readonly load: boolean;
    }
  | { readonly kind: 'dlq'; readonly queue: 'transform' | 'load'; readonly dryRun: boolean };

export type Invocation =
  | { readonly command: 'help'; readonly text: string }
  | {
      readonly command: 'status';
      readonly target: TargetOptions;
      readonly json: boolean;
      readonly verbose: boolean;
      /** Placeholders at least this old need attention. */
      readonly placeholderAgeSeconds: number;
    }
  | { readonly command: 'reconcile'; readonly target: TargetOptions; readonly json: boolean; readonly verbose: boolean }
  | {
      readonly command: 'replay';
      readonly target: TargetOptions;
      readonly json: boolean;
      readonly verbose: boolean;
      readonly replay: ReplayOptions;
    };

export { UsageError };

const TARGET_HELP = `Target (exactly one):
  --local                 local mode's state folder (what \`npm start\` built)
      --state-dir DIR     the state folder (default .local)
      --input DIR         the ingestion folder, if \`npm start --input DIR\` was used
      --database-url URL  this Postgres instead of the embedded warehouse
      --port N            port to start the embedded warehouse on when it is not
                          running (default ${LOCAL_WAREHOUSE_PORT})
  --stack NAME            a deployed stack (AWS credentials and region as the AWS CLI finds them)
      --region R          the stack's region
      --ingestion-prefix P  the ingestion key prefix (default: read from the bucket's
                          notification to the transform)
      --database-url URL  connect here instead of using the warehouse secret (a tunnel)
      --db-ssl MODE       require | no-verify | disable (default: the load function's)
      --db-ca-bundle FILE PEM certificates to verify the database with (for RDS: its
                          global bundle)
  --warehouse-schema S    the schema the star schema is in (default: public locally;
                          the load function's WAREHOUSE_SCHEMA for a stack)

Output:
  --json                  machine-readable JSON on stdout
  --verbose               log the core's progress to stderr
  --help                  this text

Exit codes: 0 all well; 1 differences, failures or something needing attention; 2 usage errors.
`;

const MAIN_HELP = `Usage: npm run ops -- <command> <target> [options]

Operator tools for the totesys pipeline, against local mode or a deployed stack.

Commands:
  status      per source table: last sequence ingested, transformed and loaded;
              missing sequences; lag; rejected rows; outstanding placeholders
  replay      re-run the transform for a table and sequence range, or redrive a
              dead-letter queue
  reconcile   rows and money totals, source objects <-> Parquet <-> warehouse, with
              every difference listed

\`npm run ops -- <command> --help\` describes a command.

${TARGET_HELP}`;

const COMMAND_HELP: Record<CommandName, string> = {
  status: `Usage: npm run ops -- status <target> [--placeholder-age AGE] [--json]

Per source table: the last sequence ingested (highest key in the ingestion bucket),
transformed (highest committed batch, and the transform's SSM parameter) and loaded (the
loader's ledger); sequences missing; objects not transformed; lag (batches committed but
not loaded, and the oldest one's age); rejected rows with the objects holding them. For the
warehouse: placeholder dimension rows outstanding, rows per table.

Exits 1 when something needs attention, each with what to do: missing sequences,
objects not transformed, objects the transform refuses (replaced after their batch was
published), batches whose Parquet files or manifest cannot be read, keys that are not
ingestion objects, rows waiting for a join partner that never arrived (a staff member's
department, a counterparty's address), placeholder rows older than AGE, or a warehouse
that cannot be read.

  --placeholder-age AGE  placeholder dimension rows at least this old need attention:
                   a whole number of minutes, hours or days, e.g. 90m, 24h, 2d
                   (default 24h)

${TARGET_HELP}`,
  replay: `Usage: npm run ops -- replay <target> --table T --from N [--to M] [--load] [--dry-run]
       npm run ops -- replay --stack NAME --dlq transform|load [--dry-run]

Re-runs the transform over the ingestion objects of table T with sequences N to M
(default: to the last one in the bucket), in order, even for objects already processed.
Safe to repeat: batches are rebuilt in place, and a batch already loaded is not loaded again
(the warehouse keeps facts once per version and never takes an older dimension version).
Use it for objects whose transform failed or was never triggered.
Locally the transform runs in this process, holding the same lock as \`npm start\`'s, so
the two can run at once. On a stack each object is queued to the transform function
(an asynchronous invoke): it runs there one at a time, and one that keeps failing lands in
the function's dead-letter queue.

  --table T        source table: ${SOURCE_TABLE_NAMES.join(', ')}
  --from N         first sequence (1 or more)
  --to M           last sequence (default: the last ingested)
  --load           then load: locally, run the loader now; on a stack, start a run of the
                   load function
  --dlq QUEUE      redrive a stack's dead-letter queue instead: \`transform\` sends each
                   failed S3 event back to the transform function and deletes the message
                   once accepted; \`load\` starts one load run and purges the queue
  --dry-run        list what would be done; change nothing

Exits 1 when an object fails again, is not accepted by the function, or a message could
not be redriven.

${TARGET_HELP}`,
  reconcile: `Usage: npm run ops -- reconcile <target> [--json]

Rows and money, source objects <-> Parquet <-> warehouse:
- each ingestion object (read with the pipeline's own reader) against its batch: data
  lines, rejected rows, fact rows and money sums;
- the batches recorded as loaded against the warehouse: every fact version
  (natural id, version_hash) with its money, every dimension id at its newest version.
Totals per fact (rows, distinct versions, money to the cent) and per dimension (ids) are
printed side by side. Batches not loaded yet are left out of the warehouse comparison.

Reads every ingestion object and every batch: minutes for a large history.
Exits 1 when there is any difference.

${TARGET_HELP}`,
};

export function parseCommandLine(argv: readonly string[]): Invocation {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    const topic = first === 'help' ? rest[0] : undefined;
    return { command: 'help', text: topic && isCommand(topic) ? COMMAND_HELP[topic] : MAIN_HELP };
  }
  if (!isCommand(first)) throw new UsageError(`unknown command "${first}"`, MAIN_HELP);
  const command = first;
  const help = COMMAND_HELP[command];
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: rest,
      strict: true,
      allowPositionals: false,
      options: {
        local: { type: 'boolean' },
        stack: { type: 'string' },
        'state-dir': { type: 'string' },
        input: { type: 'string' },
        'database-url': { type: 'string' },
        port: { type: 'string' },
        region: { type: 'string' },
        'ingestion-prefix': { type: 'string' },
        'db-ssl': { type: 'string' },
        'db-ca-bundle': { type: 'string' },
        'warehouse-schema': { type: 'string' },
        table: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        dlq: { type: 'string' },
        load: { type: 'boolean' },
        'dry-run': { type: 'boolean' },
        'placeholder-age': { type: 'string' },
        json: { type: 'boolean' },
        verbose: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message, help);
  }
  if (values.help) return { command: 'help', text: help };
  const fail = (message: string): never => {
    throw new UsageError(message, help);
  };

  const target = parseTarget(values, fail);
  const common = { target, json: values.json === true, verbose: values.verbose === true };
  const replayOnly = ['table', 'from', 'to', 'dlq', 'load', 'dry-run'].filter((name) => values[name] !== undefined);
  if (command !== 'status' && values['placeholder-age'] !== undefined) fail('--placeholder-age applies to status only');
  if (command !== 'replay') {
    if (replayOnly.length > 0) fail(`--${replayOnly[0]} applies to replay only`);
    if (command === 'status') {
      const age = values['placeholder-age'] as string | undefined;
      return {
        command,
        ...common,
        placeholderAgeSeconds: age === undefined ? DEFAULT_PLACEHOLDER_AGE_SECONDS : ageOption('--placeholder-age', age, fail),
      };
    }
    return { command, ...common };
  }
  return { command, ...common, replay: parseReplay(values, target, fail) };
}

function parseTarget(values: Record<string, string | boolean | undefined>, fail: (message: string) => never): TargetOptions {
  const local = values.local === true;
  const stackName = values.stack as string | undefined;
  if (local === (stackName !== undefined)) fail('choose exactly one target: --local or --stack NAME');
  const databaseUrl = values['database-url'] as string | undefined;
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl))
    fail('--database-url must be a postgres:// or postgresql:// URL');
  const warehouseSchema = values['warehouse-schema'] as string | undefined;
  const schemaProblem = warehouseSchema === undefined ? undefined : warehouseSchemaProblem(warehouseSchema);
  if (schemaProblem) fail(`--warehouse-schema: ${schemaProblem}`);
  const schema = warehouseSchema === undefined ? {} : { warehouseSchema };
  const onlyFor = (names: readonly string[], kind: string) => {
    const given = names.find((name) => values[name] !== undefined);
    if (given) fail(`--${given} applies to ${kind} only`);
  };
  if (local) {
    onlyFor(['region', 'ingestion-prefix', 'db-ssl', 'db-ca-bundle'], '--stack');
    const portText = (values.port as string | undefined) ?? String(LOCAL_WAREHOUSE_PORT);
    const port = Number(portText);
    if (!/^\d+$/.test(portText) || port < 1024 || port > 65_535)
      fail(`--port must be a whole number from 1024 to 65535, not "${portText}"`);
    return {
      kind: 'local',
      stateDir: (values['state-dir'] as string | undefined) ?? '.local',
      ...(values.input === undefined ? {} : { inputDir: values.input as string }),
      ...(databaseUrl === undefined ? {} : { databaseUrl }),
      port,
      ...schema,
    };
  }
  onlyFor(['state-dir', 'input', 'port'], '--local');
  if (stackName === '') fail('--stack needs the stack name');
  const dbSsl = values['db-ssl'] as string | undefined;
  if (dbSsl !== undefined && !['require', 'no-verify', 'disable'].includes(dbSsl)) fail('--db-ssl must be require, no-verify or disable');
  return {
    kind: 'stack',
    stackName: stackName!,
    ...(values.region === undefined ? {} : { region: values.region as string }),
    ...(values['ingestion-prefix'] === undefined ? {} : { ingestionPrefix: values['ingestion-prefix'] as string }),
    ...(databaseUrl === undefined ? {} : { databaseUrl }),
    ...(dbSsl === undefined ? {} : { dbSsl: dbSsl as SslMode }),
    ...(values['db-ca-bundle'] === undefined ? {} : { dbCaBundle: values['db-ca-bundle'] as string }),
    ...schema,
  };
}

function parseReplay(
  values: Record<string, string | boolean | undefined>,
  target: TargetOptions,
  fail: (message: string) => never,
): ReplayOptions {
  const dryRun = values['dry-run'] === true;
  const dlq = values.dlq as string | undefined;
  if (dlq !== undefined) {
    const extra = ['table', 'from', 'to', 'load'].find((name) => values[name] !== undefined);
    if (extra) fail(`--${extra} does not apply with --dlq`);
    if (dlq !== 'transform' && dlq !== 'load') fail(`--dlq must be transform or load, not "${dlq}"`);
    if (target.kind === 'local') {
      fail(
        'local mode has no dead-letter queues: a failed object is listed by `status` ("not transformed"); fix it and replay it with --table and --from',
      );
    }
    return { kind: 'dlq', queue: dlq as 'transform' | 'load', dryRun };
  }
  const table = values.table as string | undefined;
  if (table === undefined) fail('replay needs --table T --from N, or --dlq transform|load');
  if (!isSourceTableName(table!)) fail(`unknown table "${table}"; the source tables are ${SOURCE_TABLE_NAMES.join(', ')}`);
  if (values.from === undefined) fail('replay needs --from N (the first sequence to replay)');
  const from = sequenceOption('--from', values.from as string, fail);
  const to = values.to === undefined ? undefined : sequenceOption('--to', values.to as string, fail);
  if (to !== undefined && to < from) fail(`--to ${to} is below --from ${from}`);
  return {
    kind: 'transform',
    table: table as SourceTableName,
    from,
    ...(to === undefined ? {} : { to }),
    dryRun,
    load: values.load === true,
  };
}

function sequenceOption(name: string, text: string, fail: (message: string) => never): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1 || value > 9_999_999_999)
    fail(`${name} must be a sequence number from 1 to 9999999999, not "${text}"`);
  return value;
}

/** `90m`, `24h`, `2d`: a whole, positive number of minutes, hours or days, as seconds. */
function ageOption(name: string, text: string, fail: (message: string) => never): number {
  const match = /^(\d{1,6})([mhd])$/.exec(text);
  const seconds = match ? Number(match[1]) * { m: 60, h: 3600, d: 86_400 }[match[2] as 'm' | 'h' | 'd'] : 0;
  if (seconds <= 0) fail(`${name} must be a whole number of minutes, hours or days, e.g. 90m, 24h or 2d, not "${text}"`);
  return seconds;
}

function isCommand(name: string): name is CommandName {
  return (COMMANDS as readonly string[]).includes(name);
}
