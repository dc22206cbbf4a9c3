import { describe, expect, it } from 'vitest';
import { ConfigError, type PipelineConfig, readPipelineConfig } from '../../lib/config/pipeline-config';

function configFrom(context: Record<string, unknown>): PipelineConfig {
  return readPipelineConfig((key) => context[key]);
}

function problemsFrom(context: Record<string, unknown>): readonly string[] {
  try {
    configFrom(context);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('deploy-time settings', () => {
  it('has working defaults when nothing is given, so cdk synth needs no context', () => {
    const config = configFrom({});
    expect(config).toEqual({
      stackName: 'TotesysElt',
      alertEmails: [],
      ingestion: { bucketName: undefined, prefix: '' },
      processed: { bucketName: undefined, prefix: '', writerRoleArns: [] },
      sequenceParameterPath: '/totesys/transform',
      loadSchedule: { expression: 'rate(5 minutes)', intervalMinutes: 5 },
      warehouse: { secret: undefined, ssl: 'require', vpc: undefined, schema: 'public' },
      load: { timeoutSeconds: 300, memoryMb: 1024 },
      alarms: { stalenessMinutes: 60, failurePeriods: 3, rejectedRowsThreshold: 1, freshnessMinutes: 15 },
      logLevel: 'INFO',
    });
  });

  it('reads -c strings and cdk.json values alike', () => {
    const fromCli = configFrom({
      alertEmails: 'ops@example.com, data.team+etl@example.co.uk',
      subnetIds: 'subnet-0123456789abcdef0,subnet-89abcdef',
      vpcId: 'vpc-0123456789abcdef0',
      loadMemoryMb: '2048',
      logLevel: 'debug',
    });
    const fromJson = configFrom({
      alertEmails: ['ops@example.com', 'data.team+etl@example.co.uk'],
      subnetIds: ['subnet-0123456789abcdef0', 'subnet-89abcdef'],
      vpcId: 'vpc-0123456789abcdef0',
      loadMemoryMb: 2048,
      logLevel: 'DEBUG',
    });
    expect(fromCli).toEqual(fromJson);
    expect(fromCli.alertEmails).toEqual(['ops@example.com', 'data.team+etl@example.co.uk']);
    expect(fromCli.load.memoryMb).toBe(2048);
    expect(fromCli.warehouse.vpc).toEqual({
      vpcId: 'vpc-0123456789abcdef0',
      subnetIds: ['subnet-0123456789abcdef0', 'subnet-89abcdef'],
      securityGroupIds: [],
      warehousePort: 5432,
    });
  });

  it('normalises key prefixes to end with a slash', () => {
    const config = configFrom({ ingestionPrefix: 'landing/totesys', processedPrefix: 'star/' });
    expect(config.ingestion.prefix).toBe('landing/totesys/');
    expect(config.processed.prefix).toBe('star/');
  });

  it('accepts a secret by complete ARN or by name', () => {
    const arn = 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:totesys/warehouse-AbC123';
    expect(configFrom({ dbSecret: arn }).warehouse.secret).toEqual({ arn });
    expect(configFrom({ dbSecret: 'totesys/warehouse' }).warehouse.secret).toEqual({ name: 'totesys/warehouse' });
  });

  it('sets the freshness alarm at 15 minutes, or above the load interval when loads are slower', () => {
    const source = { sourceDbSecret: 'totesys/source' };
    expect(configFrom({ ...source }).alarms.freshnessMinutes).toBe(15);
    expect(configFrom({ ...source, freshnessMinutes: '30' }).alarms.freshnessMinutes).toBe(30);
    // Hourly loads: a batch may wait an hour for its load on healthy runs.
    expect(configFrom({ ...source, loadSchedule: 'rate(1 hour)', stalenessMinutes: '180' }).alarms.freshnessMinutes).toBe(65);
    expect(configFrom({ loadSchedule: 'cron(0/10 6-22 ? * MON-FRI *)' }).alarms.freshnessMinutes).toBe(15);
  });

  it('works out the interval of rate schedules and accepts cron schedules', () => {
    expect(configFrom({ loadSchedule: 'rate(1 hour)', stalenessMinutes: '180' }).loadSchedule).toEqual({
      expression: 'rate(1 hour)',
      intervalMinutes: 60,
    });
    expect(configFrom({ loadSchedule: 'cron(0/10 6-22 ? * MON-FRI *)' }).loadSchedule).toEqual({
      expression: 'cron(0/10 6-22 ? * MON-FRI *)',
    });
  });

  it.each([
    [{ alertEmails: 'ops@example.com,not-an-address' }, 'alertEmails: "not-an-address" is not an email address'],
    [{ alertEmails: 'ops@localhost' }, 'alertEmails: "ops@localhost" is not an email address'],
    [{ alertEmails: 'ops@example.com,OPS@example.com' }, 'alertEmails: "OPS@example.com" is listed twice'],
    [{ loadSchedule: 'every 15 minutes' }, 'loadSchedule: "every 15 minutes" is not a recurring schedule expression'],
    [{ loadSchedule: 'rate(15 minute)' }, 'loadSchedule: "rate(15 minute)": use the plural unit above 1'],
    [{ loadSchedule: 'rate(1 hours)' }, 'loadSchedule: "rate(1 hours)": use the singular unit for 1'],
    [{ loadSchedule: 'rate(0 minutes)' }, 'loadSchedule: "rate(0 minutes)": the rate must be at least 1'],
    [{ loadSchedule: 'cron(0 * * * *)' }, 'loadSchedule: "cron(0 * * * *)": a cron expression has 6 fields'],
    [{ loadSchedule: 'cron(0 * * * * *)' }, 'exactly one of day-of-month and day-of-week must be "?"'],
    [{ loadSchedule: 'at(2025-01-01T00:00:00)' }, 'is not a recurring schedule expression'],
    [{ sequenceParameterPath: 'totesys/transform' }, 'sequenceParameterPath: "totesys/transform" must start with "/"'],
    [{ sequenceParameterPath: '/totesys/' }, 'must not end with "/"'],
    [{ sequenceParameterPath: '/totesys//transform' }, 'may contain only letters, digits'],
    [{ sequenceParameterPath: '/aws/totesys' }, 'reserved by AWS'],
    [{ sequenceParameterPath: '/a/b/c/d/e/f/g/h/i/j/k/l/m/n' }, 'is too deep'],
    [
      { dbSecret: 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:totesys/warehouse' },
      'is not a complete Secrets Manager secret ARN',
    ],
    [{ dbSecret: 'arn:aws:ssm:eu-west-2:123456789012:parameter/x' }, 'is not a complete Secrets Manager secret ARN'],
    [{ dbSecret: 'my secret' }, 'is neither a secret ARN nor a valid secret name'],
    [{ dbSsl: 'verify-full' }, 'dbSsl: "verify-full" is not one of require, no-verify, disable'],
    [{ dbCaBundle: 'no/such/ca.pem' }, 'dbCaBundle: cannot read "no/such/ca.pem" (ENOENT)'],
    [{ dbCaBundle: 'package.json' }, 'dbCaBundle: "package.json" holds no PEM certificate'],
    [{ dbCaBundle: 'package.json', dbSsl: 'disable' }, 'dbCaBundle: only used with dbSsl=require'],
    [{ warehouseSchema: 'Star Schema' }, 'warehouseSchema: "Star Schema" is not a plain schema name'],
    [{ warehouseSchema: 'etl_control' }, 'warehouseSchema: "etl_control" is the loader\'s own control schema'],
    [{ warehouseSchema: 'pg_temp' }, 'warehouseSchema: "pg_temp" is a Postgres system schema'],
    [{ ingestionBucketName: 'My_Bucket' }, 'ingestionBucketName: "My_Bucket" may contain only lowercase letters'],
    [{ processedBucketName: '192.168.0.1' }, 'must not be formatted as an IP address'],
    [
      { ingestionBucketName: 'same-bucket', processedBucketName: 'same-bucket' },
      'processedBucketName: must differ from ingestionBucketName',
    ],
    [{ ingestionPrefix: '/landing' }, 'ingestionPrefix: "/landing" must not start with "/"'],
    [{ processedPrefix: 'a*b' }, 'must not contain "*"'],
    [{ vpcId: 'vpc-123' }, 'vpcId: "vpc-123" is not a vpc id'],
    [{ vpcId: 'vpc-0123456789abcdef0' }, 'subnetIds: required with vpcId'],
    [{ subnetIds: 'subnet-0123456789abcdef0' }, 'subnetIds: given without vpcId'],
    [
      { vpcId: 'vpc-0123456789abcdef0', subnetIds: 'subnet-0123456789abcdef0', securityGroupIds: 'sg-xyz' },
      'securityGroupIds: "sg-xyz" is not a sg id',
    ],
    [{ loadTimeoutSeconds: '901' }, 'loadTimeoutSeconds: 901 is outside 30..900'],
    [{ loadMemoryMb: '1.5GB' }, 'loadMemoryMb: expected a whole number, got "1.5GB"'],
    [{ stalenessMinutes: '62' }, 'stalenessMinutes: 62 is not a multiple of 5'],
    [
      { stalenessMinutes: '20', loadSchedule: 'rate(15 minutes)' },
      'stalenessMinutes: 20 is less than two load intervals (30 minutes for rate(15 minutes))',
    ],
    [{ failureAlarmPeriods: '0' }, 'failureAlarmPeriods: 0 is outside 1..10'],
    [{ freshnessMinutes: '4' }, 'freshnessMinutes: 4 is outside 5..2880'],
    [{ freshnessMinutes: 'soon' }, 'freshnessMinutes: expected a whole number, got "soon"'],
    [{ freshnessMinutes: '5' }, 'freshnessMinutes: 5 is not above the load interval (5 minutes for rate(5 minutes))'],
    [
      { freshnessMinutes: '15', loadSchedule: 'rate(15 minutes)', stalenessMinutes: '30' },
      'freshnessMinutes: 15 is not above the load interval (15 minutes for rate(15 minutes))',
    ],
    [{ logLevel: 'verbose' }, 'logLevel: "verbose" is not one of DEBUG, INFO, WARN, ERROR'],
    [{ stackName: '1stack' }, 'stackName: "1stack" is not a CloudFormation stack name'],
  ])('rejects %j with a clear error', (context, expected) => {
    const problems = problemsFrom(context);
    expect(
      problems.some((problem) => problem.includes(expected)),
      problems.join('\n'),
    ).toBe(true);
  });

  it('reports every problem at once, one line per setting', () => {
    let error: unknown;
    try {
      configFrom({ alertEmails: 'nope', loadSchedule: 'hourly', sequenceParameterPath: 'x' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toHaveLength(3);
    expect((error as ConfigError).message).toMatch(/^Invalid deployment settings \(CDK context\):\n {2}- alertEmails: /);
  });
});
