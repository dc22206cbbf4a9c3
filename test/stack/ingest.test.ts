import { describe, expect, it } from 'vitest';
import { ConfigError, readPipelineConfig } from '../../lib/config/pipeline-config';
import { statementsOfRole, synthPipeline } from './synth';

const SOURCE_ARN = 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:totesys/source-AbC123';

function problems(context: Record<string, unknown>): readonly string[] {
  try {
    readPipelineConfig((key) => context[key]);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('ingest Lambda', () => {
  it('is absent without a source database secret: the default stack has two Lambdas', () => {
    const { stack, template } = synthPipeline();
    expect(stack.ingest).toBeUndefined();
    const functions = Object.values(template.findResources('AWS::Lambda::Function')).filter((resource) =>
      String(resource.Properties.Description ?? '').startsWith('totesys '),
    );
    expect(functions).toHaveLength(2);
    expect(template.toJSON().Outputs.IngestFunctionName).toBeUndefined();
  });

  it('runs every 5 minutes by default, one at a time, with retries and a dead-letter queue', () => {
    const synthesized = synthPipeline({ sourceDbSecret: SOURCE_ARN });
    const { stack, template } = synthesized;
    const ingest = stack.ingest!;
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(5 minutes)',
      Target: {
        Arn: { 'Fn::GetAtt': [synthesized.logicalId(ingest.lambda.function), 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 1800 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [synthesized.logicalId(ingest.deadLetterQueue), 'Arn'] } },
      },
    });
    const fn = template.toJSON().Resources[synthesized.logicalId(ingest.lambda.function)];
    expect(fn.Properties.ReservedConcurrentExecutions).toBe(1);
    expect(fn.Properties.Environment.Variables).toMatchObject({
      SOURCE_DB_SECRET_ARN: SOURCE_ARN,
      SOURCE_DB_SSL: 'require',
      INGEST_PARAMETER_PATH: '/totesys/ingest',
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: synthesized.logicalId(ingest.lambda.function) },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [synthesized.logicalId(ingest.deadLetterQueue), 'Arn'] } } },
    });
    // The output whose absence the default stack is checked for.
    expect(template.toJSON().Outputs.IngestFunctionName.Value).toEqual({ Ref: synthesized.logicalId(ingest.lambda.function) });
  });

  it('takes schedule, TLS mode and parameter path from the settings', () => {
    const { stack, template, logicalId } = synthPipeline({
      sourceDbSecret: 'totesys/source',
      ingestSchedule: 'rate(10 minutes)',
      sourceDbSsl: 'no-verify',
      ingestParameterPath: '/acme/ingest',
    });
    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(10 minutes)' });
    const fn = template.toJSON().Resources[logicalId(stack.ingest!.lambda.function)];
    expect(fn.Properties.Environment.Variables).toMatchObject({ SOURCE_DB_SSL: 'no-verify', INGEST_PARAMETER_PATH: '/acme/ingest' });
  });

  it('may only write under the ingestion prefix, use extract/ in the processed bucket, its own SSM path and its secret', () => {
    const synthesized = synthPipeline({ sourceDbSecret: SOURCE_ARN, ingestionPrefix: 'landing', processedPrefix: 'star' });
    const statements = statementsOfRole(synthesized, synthesized.stack.ingest!.lambda.role);
    const text = JSON.stringify(statements);
    const actions = statements.flatMap((statement) => [statement.Action].flat());
    expect(new Set(actions)).toEqual(
      new Set([
        's3:PutObject',
        's3:GetObject',
        's3:AbortMultipartUpload',
        's3:ListBucket',
        'ssm:GetParameter',
        'ssm:PutParameter',
        'secretsmanager:GetSecretValue',
        'secretsmanager:DescribeSecret',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        // its dead-letter queue, as the asynchronous-invocation failure destination
        'sqs:SendMessage',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
      ]),
    );
    expect(text).toContain('/landing/*');
    expect(text).toContain('/star/extract/*');
    expect(text).toContain('parameter/totesys/ingest/*');
    expect(text).toContain(SOURCE_ARN);
    expect(actions).not.toContain('s3:DeleteObject');
  });

  it('alarms and emails on repeated failures, dead letters and dropped events', () => {
    const { template } = synthPipeline({ sourceDbSecret: SOURCE_ARN, alertEmails: 'ops@example.com' });
    for (const name of ['ingest-failures', 'ingest-dead-letters', 'ingest-dropped-events']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: `TotesysElt-${name}` });
    }
  });

  it("shares the load Lambda's VPC settings, creating its own security group when none is given", () => {
    const synthesized = synthPipeline({
      sourceDbSecret: SOURCE_ARN,
      vpcId: 'vpc-0123456789abcdef0',
      subnetIds: 'subnet-0123456789abcdef0',
    });
    const fn = synthesized.template.toJSON().Resources[synthesized.logicalId(synthesized.stack.ingest!.lambda.function)];
    expect(fn.Properties.VpcConfig.SubnetIds).toEqual(['subnet-0123456789abcdef0']);
    const created = synthesized.stack.ingest?.createdSecurityGroup;
    if (!created) throw new Error('the ingest stage created no security group');
    const group = { 'Fn::GetAtt': [synthesized.logicalId(created), 'GroupId'] };
    expect(fn.Properties.VpcConfig.SecurityGroupIds).toEqual([group]);
    expect(synthesized.template.toJSON().Outputs.IngestSecurityGroupId.Value).toEqual(group);
  });

  it('validates its settings', () => {
    expect(problems({ sourceDbSecret: 'arn:aws:secretsmanager:bad' })[0]).toMatch(
      /^sourceDbSecret: .* is not a complete Secrets Manager secret ARN/,
    );
    expect(problems({ ingestSchedule: 'rate(5 minutes)' })).toEqual([
      'ingestSchedule: given without sourceDbSecret (the ingest Lambda exists only with a source database)',
    ]);
    expect(problems({ sourceDbSecret: 's', ingestParameterPath: '/totesys/transform' })).toEqual([
      "ingestParameterPath: must differ from sequenceParameterPath (/totesys/transform): each stage's role is scoped to its own path",
    ]);
    expect(problems({ sourceDbSecret: 's', ingestSchedule: 'every 5 minutes' })[0]).toMatch(/^ingestSchedule: /);
  });
});
