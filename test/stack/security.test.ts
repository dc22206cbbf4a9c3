/**
 * The security review's template findings: who may write the processed bucket, what the
 * alert key lets CloudWatch do, logs with a retention for every function, and settings
 * refused or warned about at synth rather than failing after deployment.
 */
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ConfigError, readPipelineConfig } from '../../lib/config/pipeline-config';
import { synthPipeline } from './synth';

const FOLDERS = ['batches', 'manifests', 'rejected', 'state'];

describe('processed bucket writers', () => {
  it('denies writing or deleting batches, manifests, state and rejected rows to anyone but the transform role', () => {
    const synthesized = synthPipeline({ processedPrefix: 'star' });
    const { stack, template } = synthesized;
    const bucketArn = { 'Fn::GetAtt': [synthesized.logicalId(stack.buckets.processed), 'Arn'] };
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: synthesized.logicalId(stack.buckets.processed) },
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'OnlyThePipelineWritesBatches',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: ['s3:DeleteObject', 's3:DeleteObjectVersion', 's3:PutObject'],
            Resource: FOLDERS.map((folder) => ({ 'Fn::Join': ['', [bucketArn, `/star/${folder}/*`]] })),
            Condition: {
              ArnNotEquals: { 'aws:PrincipalArn': [{ 'Fn::GetAtt': [synthesized.logicalId(stack.transform.lambda.role), 'Arn'] }] },
            },
          },
        ]),
      },
    });
  });

  it('also lets the operator roles named in processedWriterRoleArns write (for ops replay --stack)', () => {
    const operator = 'arn:aws:iam::123456789012:role/totesys-operator';
    const synthesized = synthPipeline({ processedWriterRoleArns: operator });
    const statement = Object.values(synthesized.template.findResources('AWS::S3::BucketPolicy'))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as { Sid?: string; Condition?: unknown }[])
      .find((s) => s.Sid === 'OnlyThePipelineWritesBatches');
    expect(statement?.Condition).toEqual({
      ArnNotEquals: {
        'aws:PrincipalArn': [{ 'Fn::GetAtt': [synthesized.logicalId(synthesized.stack.transform.lambda.role), 'Arn'] }, operator],
      },
    });
  });

  it('refuses a writer that is not an IAM role ARN', () => {
    expect(() =>
      readPipelineConfig((key) => (key === 'processedWriterRoleArns' ? 'arn:aws:iam::123456789012:user/alice' : undefined)),
    ).toThrow('processedWriterRoleArns: "arn:aws:iam::123456789012:user/alice" is not an IAM role ARN');
  });
});

describe('alert topic key', () => {
  it('lets CloudWatch use it only for alarms of this account (aws:SourceAccount)', () => {
    const synthesized = synthPipeline();
    const keys = Object.values(synthesized.template.findResources('AWS::KMS::Key'));
    const statements = keys.flatMap(
      (key) => key.Properties.KeyPolicy.Statement as { Principal?: { Service?: string }; Condition?: unknown }[],
    );
    const cloudwatch = statements.filter((s) => s.Principal?.Service === 'cloudwatch.amazonaws.com');
    expect(cloudwatch).toHaveLength(1);
    expect(cloudwatch[0]!.Condition).toEqual({ StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } });
  });
});

describe('log retention', () => {
  it('gives the S3 notifications handler CDK defines a log group with a retention, and points it there', () => {
    const { template } = synthPipeline();
    const functions = Object.entries(template.findResources('AWS::Lambda::Function'));
    const groups = template.findResources('AWS::Logs::LogGroup');
    expect(functions.length).toBeGreaterThanOrEqual(3);
    for (const [id, fn] of functions) {
      const target = fn.Properties.LoggingConfig?.LogGroup as { Ref?: string } | undefined;
      expect(target?.Ref, `${id} logs to a group of the stack`).toBeDefined();
      expect(groups[target!.Ref!]?.Properties.RetentionInDays, `${id}'s log group retention`).toBe(90);
    }
  });
});

describe('warehouse secret location', () => {
  const arn = (region: string, account: string) => `arn:aws:secretsmanager:${region}:${account}:secret:totesys/warehouse-AbC123`;

  it('refuses at synth a secret in another region or account than a concrete stack environment', () => {
    const synthesized = synthPipeline({ dbSecret: arn('us-east-1', '999999999999') }, { region: 'eu-west-2', account: '123456789012' });
    const errors = Annotations.fromStack(synthesized.stack)
      .findError('*', Match.anyValue())
      .map((e) => String(e.entry.data));
    expect(errors).toEqual([
      expect.stringContaining(
        `dbSecret: ${arn('us-east-1', '999999999999')} is in region us-east-1; the load Lambda reads it from the stack's own region (eu-west-2)`,
      ),
      expect.stringContaining("is in account 999999999999; the load Lambda reads it from the stack's own account (123456789012)"),
    ]);
  });

  it('accepts a secret in the stack environment', () => {
    const synthesized = synthPipeline({ dbSecret: arn('eu-west-2', '123456789012') }, { region: 'eu-west-2', account: '123456789012' });
    expect(Annotations.fromStack(synthesized.stack).findError('*', Match.anyValue())).toEqual([]);
    expect(synthesized.template.toJSON().Rules ?? {}).not.toHaveProperty('WarehouseSecretInRegion');
  });

  it('in an environment-agnostic stack, adds CloudFormation rules that refuse the deployment elsewhere', () => {
    const { template } = synthPipeline({ dbSecret: arn('us-east-1', '999999999999') });
    const rules = template.toJSON().Rules;
    expect(rules.WarehouseSecretInRegion.Assertions).toEqual([
      {
        Assert: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] },
        AssertDescription: expect.stringContaining("is in region us-east-1; the load Lambda reads it from the stack's own region"),
      },
    ]);
    expect(rules.WarehouseSecretInAccount.Assertions[0].Assert).toEqual({ 'Fn::Equals': [{ Ref: 'AWS::AccountId' }, '999999999999'] });
  });
});

describe('settings refused or warned about at synth', () => {
  it.each([
    ['cron(99 99 * * ? *)', 'minutes "99" is outside 0-59'],
    ['cron(0 24 * * ? *)', 'hours "24" is outside 0-23'],
    ['cron(0 6 ? * MON-FUN *)', 'day-of-week "FUN" is outside 1-7 or SUN-SAT'],
    ['cron(0/0 * * * ? *)', 'minutes step "0" must be 1..59'],
  ])('refuses loadSchedule=%s', (loadSchedule, problem) => {
    let error: unknown;
    try {
      readPipelineConfig((key) => (key === 'loadSchedule' ? loadSchedule : undefined));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([`loadSchedule: "${loadSchedule}": ${problem}`]);
  });

  it.each([
    ['disable', /sends the warehouse password and data unencrypted/],
    ['no-verify', /does not verify the warehouse certificate/],
  ])('warns on dbSsl=%s', (dbSsl, warning) => {
    const synthesized = synthPipeline({ dbSsl });
    const warnings = Annotations.fromStack(synthesized.stack)
      .findWarning('*', Match.stringLikeRegexp('dbSsl='))
      .map((w) => String(w.entry.data));
    expect(warnings).toEqual([expect.stringMatching(warning)]);
  });

  it('does not warn on dbSsl=require', () => {
    const synthesized = synthPipeline({ dbSsl: 'require' });
    expect(Annotations.fromStack(synthesized.stack).findWarning('*', Match.stringLikeRegexp('dbSsl='))).toEqual([]);
  });
});
