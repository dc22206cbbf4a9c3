/**
 * Deploy-time settings of the pipeline stack, read from CDK context (`-c key=value` or the
 * `context` block of cdk.json) and validated up front: every problem is reported at once,
 * naming the setting, before any resource is defined.
 */
import { fileURLToPath } from 'node:url';
import { warehouseSchemaProblem } from '../../lambdas/core/warehouse/names';
import { DEFAULT_DEPLOYED_SSL, SSL_MODES, type SslMode } from '../../lambdas/environment';
import { caBundleSource, checkCaBundleFile } from './ca-bundle';
import {
  type ParsedSchedule,
  type Problem,
  type SecretReference,
  checkBucketName,
  checkEmail,
  checkParameterPath,
  checkRoleArn,
  checkResourceId,
  checkStackName,
  parseKeyPrefix,
  parseScheduleExpression,
  parseSecretReference,
} from './validators';
import { PipelineError } from '../../lambdas/core/errors';

export type DbSslMode = SslMode;
export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/** Where the load Lambda runs when the warehouse is only reachable inside a VPC. */
export interface VpcPlacement {
  readonly vpcId: string;
  readonly subnetIds: readonly string[];
  /** Empty: the stack creates a security group allowing outbound HTTPS and the warehouse port only. */
  readonly securityGroupIds: readonly string[];
  /** The warehouse's port, the one non-HTTPS destination of the created security group. */
  readonly warehousePort: number;
}

export interface BucketSettings {
  /** An existing bucket to use; undefined: the stack creates one. */
  readonly bucketName?: string;
  /** Key prefix inside the bucket, `''` or ending with `/`. */
  readonly prefix: string;
}

/** The optional ingest stage: on only when a source database secret is given. */
export interface IngestSettings {
  readonly secret: SecretReference;
  readonly ssl: DbSslMode;
  readonly schedule: ParsedSchedule;
  readonly parameterPath: string;
}

export interface PipelineConfig {
  readonly stackName: string;
  readonly alertEmails: readonly string[];
  readonly ingestion: BucketSettings;
  readonly processed: BucketSettings & {
    /** IAM roles besides the transform's allowed to write batches (operators running `ops replay --stack`). */
    readonly writerRoleArns: readonly string[];
  };
  readonly sequenceParameterPath: string;
  readonly loadSchedule: ParsedSchedule;
  readonly warehouse: {
    /** An existing secret; undefined: the stack creates one for the operator to fill in. */
    readonly secret?: SecretReference;
    readonly ssl: DbSslMode;
    readonly vpc?: VpcPlacement;
    /** The Postgres schema of the star schema (the loader's control schema is etl_control). */
    readonly schema: string;
    /** Absolute path of a PEM file to bundle and trust next to Node's roots (dbCaBundle). */
    readonly caBundle?: string;
  };
  readonly load: { readonly timeoutSeconds: number; readonly memoryMb: number };
  /** Undefined: no ingest Lambda (objects land from elsewhere). */
  readonly ingest?: IngestSettings;
  readonly alarms: {
    /** Alarm when a processed batch has waited this long without a load run getting to it. */
    readonly stalenessMinutes: number;
    /** Consecutive failing periods before a failure alarm fires. */
    readonly failurePeriods: number;
    /** Rejected rows in five minutes that raise the alarm. */
    readonly rejectedRowsThreshold: number;
    /** Alarm when a batch's freshness lag (source read to warehouse commit) reaches this. */
    readonly freshnessMinutes: number;
  };
  readonly logLevel: LogLevel;
}

const DEFAULTS = {
  stackName: 'TotesysElt',
  sequenceParameterPath: '/totesys/transform',
  // With ingest also every 5 minutes, a source change reaches the warehouse within 15
  // minutes: up to 5 before an ingest run sees it, then transform, then up to 5 to a load.
  loadSchedule: 'rate(5 minutes)',
  ingestSchedule: 'rate(5 minutes)',
  ingestParameterPath: '/totesys/ingest',
  dbSsl: DEFAULT_DEPLOYED_SSL,
  dbPort: 5432,
  warehouseSchema: 'public',
  loadTimeoutSeconds: 300,
  loadMemoryMb: 1024,
  stalenessMinutes: 60,
  failureAlarmPeriods: 3,
  rejectedRowsThreshold: 1,
  // The contract's goal: a source change in the warehouse within 15 minutes (DEPLOY.md "Freshness").
  freshnessMinutes: 15,
  logLevel: 'INFO',
} as const;

/** The context keys this stack reads; DEPLOY.md documents each. */
const SETTING_KEYS = [
  'stackName',
  'alertEmails',
  'ingestionBucketName',
  'ingestionPrefix',
  'processedBucketName',
  'processedPrefix',
  'processedWriterRoleArns',
  'sequenceParameterPath',
  'loadSchedule',
  'dbSecret',
  'dbSsl',
  'warehouseSchema',
  'dbCaBundle',
  'vpcId',
  'subnetIds',
  'securityGroupIds',
  'dbPort',
  'loadTimeoutSeconds',
  'loadMemoryMb',
  'stalenessMinutes',
  'failureAlarmPeriods',
  'rejectedRowsThreshold',
  'freshnessMinutes',
  'logLevel',
  'sourceDbSecret',
  'sourceDbSsl',
  'ingestSchedule',
  'ingestParameterPath',
] as const;

type SettingKey = (typeof SETTING_KEYS)[number];

export class ConfigError extends PipelineError {
  readonly kind = 'configuration';
  constructor(readonly problems: readonly string[]) {
    super(`Invalid deployment settings (CDK context):\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** How to look a setting up, e.g. `(key) => app.node.tryGetContext(key)`. */
export type SettingReader = (key: SettingKey) => unknown;

/** Relative file settings (dbCaBundle) are read from here: the CDK app's directory. */
const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export function readPipelineConfig(read: SettingReader): PipelineConfig {
  const settings = new SettingParser(read);

  const stackName = settings.text('stackName', DEFAULTS.stackName, checkStackName);
  const alertEmails = settings.list('alertEmails', checkEmail);
  const duplicate = alertEmails.find(
    (email, index) => alertEmails.findIndex((other) => other.toLowerCase() === email.toLowerCase()) !== index,
  );
  if (duplicate) settings.problem('alertEmails', `"${duplicate}" is listed twice`);

  const ingestionBucketName = settings.optionalText('ingestionBucketName', checkBucketName);
  const processedBucketName = settings.optionalText('processedBucketName', checkBucketName);
  if (ingestionBucketName !== undefined && ingestionBucketName === processedBucketName) {
    settings.problem(
      'processedBucketName',
      'must differ from ingestionBucketName: the transform writes .jsonl files (rejected rows) that would trigger it again',
    );
  }
  const ingestionPrefix = settings.parsed('ingestionPrefix', '', parseKeyPrefix, (parsed) => parsed.prefix);
  const processedPrefix = settings.parsed('processedPrefix', '', parseKeyPrefix, (parsed) => parsed.prefix);
  const writerRoleArns = settings.list('processedWriterRoleArns', checkRoleArn);

  const sequenceParameterPath = settings.text('sequenceParameterPath', DEFAULTS.sequenceParameterPath, checkParameterPath);
  const loadSchedule = settings.parsed('loadSchedule', DEFAULTS.loadSchedule, parseScheduleExpression, (parsed) => parsed);

  const secretValue = settings.optionalText('dbSecret');
  let secret: SecretReference | undefined;
  if (secretValue !== undefined) {
    const parsed = parseSecretReference(secretValue);
    if ('problem' in parsed) settings.problem('dbSecret', parsed.problem);
    else secret = parsed;
  }
  const ssl = settings.choice('dbSsl', DEFAULTS.dbSsl, SSL_MODES);

  const schema = settings.text('warehouseSchema', DEFAULTS.warehouseSchema, warehouseSchemaProblem);
  const caBundlePath = settings.optionalText('dbCaBundle', (path) => checkCaBundleFile(path, PROJECT_ROOT));
  if (caBundlePath !== undefined && ssl !== 'require') settings.problem('dbCaBundle', 'only used with dbSsl=require');
  const caBundle = caBundlePath === undefined ? undefined : caBundleSource(caBundlePath, PROJECT_ROOT);

  const vpcId = settings.optionalText('vpcId', (id) => checkResourceId('vpc', id));
  const subnetIds = settings.list('subnetIds', (id) => checkResourceId('subnet', id));
  const securityGroupIds = settings.list('securityGroupIds', (id) => checkResourceId('sg', id));
  const warehousePort = settings.integer('dbPort', DEFAULTS.dbPort, 1, 65535);
  let vpc: VpcPlacement | undefined;
  if (vpcId !== undefined) {
    if (subnetIds.length === 0) {
      settings.problem('subnetIds', 'required with vpcId: the private subnets the load Lambda runs in');
    }
    vpc = { vpcId, subnetIds, securityGroupIds, warehousePort };
  } else {
    if (subnetIds.length > 0) settings.problem('subnetIds', 'given without vpcId');
    if (securityGroupIds.length > 0) settings.problem('securityGroupIds', 'given without vpcId');
  }

  const ingest = readIngestSettings(settings, sequenceParameterPath);

  const timeoutSeconds = settings.integer('loadTimeoutSeconds', DEFAULTS.loadTimeoutSeconds, 30, 900);
  const memoryMb = settings.integer('loadMemoryMb', DEFAULTS.loadMemoryMb, 128, 10240);

  const stalenessMinutes = settings.integer('stalenessMinutes', DEFAULTS.stalenessMinutes, 15, 1440);
  if (stalenessMinutes % 5 !== 0) settings.problem('stalenessMinutes', `${stalenessMinutes} is not a multiple of 5`);
  if (loadSchedule?.intervalMinutes !== undefined && stalenessMinutes < 2 * loadSchedule.intervalMinutes) {
    settings.problem(
      'stalenessMinutes',
      `${stalenessMinutes} is less than two load intervals (${2 * loadSchedule.intervalMinutes} minutes for ${loadSchedule.expression}); the alarm would fire between healthy runs`,
    );
  }
  const failurePeriods = settings.integer('failureAlarmPeriods', DEFAULTS.failureAlarmPeriods, 1, 10);
  const rejectedRowsThreshold = settings.integer('rejectedRowsThreshold', DEFAULTS.rejectedRowsThreshold, 1, 1_000_000_000);
  const freshnessMinutes = readFreshnessMinutes(settings, loadSchedule);
  const logLevel = settings.choice('logLevel', DEFAULTS.logLevel, ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const, true);

  settings.throwIfProblems();
  return {
    stackName,
    alertEmails,
    ingestion: { bucketName: ingestionBucketName, prefix: ingestionPrefix },
    processed: { bucketName: processedBucketName, prefix: processedPrefix, writerRoleArns },
    sequenceParameterPath,
    loadSchedule: loadSchedule!,
    warehouse: { secret, ssl, vpc, schema, ...(caBundle ? { caBundle } : {}) },
    load: { timeoutSeconds, memoryMb },
    ...(ingest ? { ingest } : {}),
    alarms: { stalenessMinutes, failurePeriods, rejectedRowsThreshold, freshnessMinutes },
    logLevel,
  };
}

/**
 * The freshness alarm's threshold. The lag runs from an ingest run's read of the source to
 * the load that commits it, so on healthy runs it reaches the load interval (plus run
 * times): a threshold not above that is refused, and when the load interval is 15 minutes
 * or more the default becomes the interval plus 5 (a cron schedule's interval is unknown).
 */
function readFreshnessMinutes(settings: SettingParser, loadSchedule: ParsedSchedule | undefined): number {
  const interval = loadSchedule?.intervalMinutes;
  const minutes = settings.integer('freshnessMinutes', Math.max(DEFAULTS.freshnessMinutes, (interval ?? 0) + 5), 5, 2880);
  if (settings.given('freshnessMinutes') && interval !== undefined && minutes <= interval) {
    settings.problem(
      'freshnessMinutes',
      `${minutes} is not above the load interval (${interval} minutes for ${loadSchedule!.expression}): a batch waits up to that long for a load run, so the alarm would fire on healthy runs`,
    );
  }
  return minutes;
}

function readIngestSettings(settings: SettingParser, sequenceParameterPath: string): IngestSettings | undefined {
  const secretValue = settings.optionalText('sourceDbSecret');
  const ssl = settings.choice('sourceDbSsl', DEFAULTS.dbSsl, SSL_MODES);
  const schedule = settings.parsed('ingestSchedule', DEFAULTS.ingestSchedule, parseScheduleExpression, (parsed) => parsed);
  const parameterPath = settings.text('ingestParameterPath', DEFAULTS.ingestParameterPath, checkParameterPath);
  if (parameterPath === sequenceParameterPath) {
    settings.problem(
      'ingestParameterPath',
      `must differ from sequenceParameterPath (${sequenceParameterPath}): each stage's role is scoped to its own path`,
    );
  }
  if (secretValue === undefined) {
    for (const key of ['sourceDbSsl', 'ingestSchedule', 'ingestParameterPath'] as const) {
      if (settings.given(key)) settings.problem(key, 'given without sourceDbSecret (the ingest Lambda exists only with a source database)');
    }
    return undefined;
  }
  const secret = parseSecretReference(secretValue);
  if ('problem' in secret) {
    settings.problem('sourceDbSecret', secret.problem);
    return undefined;
  }
  return { secret, ssl, schedule: schedule!, parameterPath };
}

/** Reads raw context values (strings from `-c`, or JSON values from cdk.json) and collects problems. */
class SettingParser {
  private readonly problems: string[] = [];

  constructor(private readonly read: SettingReader) {}

  given(key: SettingKey): boolean {
    const raw = this.read(key);
    return raw !== undefined && raw !== null && String(raw).trim() !== '';
  }

  problem(key: SettingKey, description: string): void {
    this.problems.push(`${key}: ${description}`);
  }

  throwIfProblems(): void {
    if (this.problems.length > 0) throw new ConfigError(this.problems);
  }

  /** The value as trimmed text; undefined when absent or empty. */
  optionalText(key: SettingKey, check?: (value: string) => Problem): string | undefined {
    const raw = this.read(key);
    if (raw === undefined || raw === null) return undefined;
    if (typeof raw !== 'string' && typeof raw !== 'number') {
      this.problem(key, `expected a string, got ${JSON.stringify(raw)}`);
      return undefined;
    }
    const value = String(raw).trim();
    if (value === '') return undefined;
    const problem = check?.(value);
    if (problem) this.problem(key, problem);
    return value;
  }

  text(key: SettingKey, fallback: string, check: (value: string) => Problem): string {
    return this.optionalText(key, check) ?? fallback;
  }

  parsed<P extends object, T>(
    key: SettingKey,
    fallback: string,
    parse: (value: string) => P | { problem: string },
    pick: (parsed: P) => T,
  ): T {
    const parsed = parse(this.optionalText(key) ?? fallback);
    if ('problem' in parsed) {
      this.problem(key, parsed.problem);
      return undefined as T;
    }
    return pick(parsed);
  }

  /** A comma-separated string or a JSON array of strings. */
  list(key: SettingKey, check: (item: string) => Problem): string[] {
    const raw = this.read(key);
    if (raw === undefined || raw === null) return [];
    let items: unknown[];
    if (typeof raw === 'string') items = raw.split(',');
    else if (Array.isArray(raw)) items = raw;
    else {
      this.problem(key, `expected a comma-separated list or an array of strings, got ${JSON.stringify(raw)}`);
      return [];
    }
    const values: string[] = [];
    for (const item of items) {
      if (typeof item !== 'string') {
        this.problem(key, `expected strings, got ${JSON.stringify(item)}`);
        continue;
      }
      const value = item.trim();
      if (value === '') continue;
      const problem = check(value);
      if (problem) this.problem(key, problem);
      values.push(value);
    }
    return values;
  }

  integer(key: SettingKey, fallback: number, min: number, max: number): number {
    const raw = this.read(key);
    if (raw === undefined || raw === null || raw === '') return fallback;
    const value = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isInteger(value)) {
      this.problem(key, `expected a whole number, got ${JSON.stringify(raw)}`);
      return fallback;
    }
    if (value < min || value > max) this.problem(key, `${value} is outside ${min}..${max}`);
    return value;
  }

  choice<C extends string>(key: SettingKey, fallback: C, choices: readonly C[], caseInsensitive = false): C {
    const value = this.optionalText(key);
    if (value === undefined) return fallback;
    const normalised = caseInsensitive ? value.toUpperCase() : value;
    if ((choices as readonly string[]).includes(normalised)) return normalised as C;
    this.problem(key, `"${value}" is not one of ${choices.join(', ')}`);
    return fallback;
  }
}
