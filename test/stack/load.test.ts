import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { METRICS_NAMESPACE } from '../../lambdas/core/metric-names';
import { WAREHOUSE_SECRET_TEMPLATE } from '../../lib/warehouse-secret';
import { statementsOfRole, synthPipeline } from './synth';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:totesys/warehouse-AbC123';

describe('load Lambda', () => {
  it('runs on an EventBridge Scheduler schedule, every 5 minutes by default, with retries and a dead-letter queue', () => {
    const synthesized = synthPipeline();
    const { stack, template } = synthesized;
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(5 minutes)',
      ScheduleExpressionTimezone: 'Etc/UTC',
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: { 'Fn::GetAtt': [synthesized.logicalId(stack.load.lambda.function), 'Arn'] },
        RoleArn: { 'Fn::GetAtt': [synthesized.logicalId(stack.load.scheduleRole), 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [synthesized.logicalId(stack.load.deadLetterQueue), 'Arn'] } },
      },
    });
    const queue = template.toJSON().Resources[synthesized.logicalId(stack.load.deadLetterQueue)];
    expect(queue.Properties).toMatchObject({ MessageRetentionPeriod: 14 * 24 * 3600, SqsManagedSseEnabled: true });
  });

  it('takes the schedule from the settings', () => {
    const { template } = synthPipeline({ loadSchedule: 'cron(0/30 6-22 ? * MON-FRI *)' });
    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'cron(0/30 6-22 ? * MON-FRI *)' });
  });

  it('lets the schedule do nothing but invoke the load Lambda and write to its dead-letter queue', () => {
    const synthesized = synthPipeline();
    const { stack, template } = synthesized;
    const functionArn = { 'Fn::GetAtt': [synthesized.logicalId(stack.load.lambda.function), 'Arn'] };
    expect(statementsOfRole(synthesized, stack.load.scheduleRole)).toEqual([
      {
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Resource: [functionArn, { 'Fn::Join': ['', [functionArn, ':*']] }],
      },
      {
        Effect: 'Allow',
        Action: 'sqs:SendMessage',
        Resource: { 'Fn::GetAtt': [synthesized.logicalId(stack.load.deadLetterQueue), 'Arn'] },
      },
    ]);
    const role = template.toJSON().Resources[synthesized.logicalId(stack.load.scheduleRole)];
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Principal: { Service: 'scheduler.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      },
    ]);
  });

  it('retries a failed run twice (Scheduler invokes asynchronously) and dead-letters it after an hour at most', () => {
    const synthesized = synthPipeline();
    const { stack, template } = synthesized;
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: synthesized.logicalId(stack.load.lambda.function) },
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 3600,
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [synthesized.logicalId(stack.load.deadLetterQueue), 'Arn'] } },
      },
    });
  });

  it('defaults to five minutes and 1024 MB, one run at a time, and takes both from the settings', () => {
    const defaults = synthPipeline();
    expect(defaults.template.toJSON().Resources[defaults.logicalId(defaults.stack.load.lambda.function)].Properties).toMatchObject({
      Timeout: 300,
      MemorySize: 1024,
      ReservedConcurrentExecutions: 1,
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
    });
    const sized = synthPipeline({ loadTimeoutSeconds: '600', loadMemoryMb: '2048' });
    expect(sized.template.toJSON().Resources[sized.logicalId(sized.stack.load.lambda.function)].Properties).toMatchObject({
      Timeout: 600,
      MemorySize: 2048,
    });
  });

  it('creates a warehouse secret with the RDS JSON shape to fill in, kept on stack deletion', () => {
    const synthesized = synthPipeline({ processedPrefix: 'star', dbSsl: 'no-verify' });
    const { stack, template } = synthesized;
    const secrets = template.findResources('AWS::SecretsManager::Secret');
    expect(Object.keys(secrets)).toHaveLength(1);
    const [secretId, secret] = Object.entries(secrets)[0]!;
    expect(secret.DeletionPolicy).toBe('Retain');
    expect(JSON.parse(secret.Properties.GenerateSecretString.SecretStringTemplate)).toEqual(WAREHOUSE_SECRET_TEMPLATE);
    expect(secret.Properties.GenerateSecretString.GenerateStringKey).toBe('password');
    const environment = template.toJSON().Resources[synthesized.logicalId(stack.load.lambda.function)].Properties.Environment.Variables;
    expect(environment).toEqual({
      PROCESSED_BUCKET: { Ref: synthesized.logicalId(stack.buckets.processed) },
      PROCESSED_PREFIX: 'star/',
      DB_SECRET_ARN: { Ref: secretId },
      DB_SSL: 'no-verify',
      WAREHOUSE_SCHEMA: 'public',
      DB_CA_BUNDLE: '/var/runtime/ca-cert.pem',
      NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
      POWERTOOLS_SERVICE_NAME: 'totesys-load',
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      PIPELINE_NAME: 'TotesysElt',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      NODE_OPTIONS: '--enable-source-maps',
    });
  });

  it('tells the loader which schema the star schema lives in', () => {
    const synthesized = synthPipeline({ warehouseSchema: 'analytics' });
    const { stack, template } = synthesized;
    const environment = template.toJSON().Resources[synthesized.logicalId(stack.load.lambda.function)].Properties.Environment.Variables;
    expect(environment.WAREHOUSE_SCHEMA).toBe('analytics');
  });

  it('bundles the dbCaBundle file into the load Lambda and points DB_CA_BUNDLE at it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ca-'));
    const pem = join(dir, 'warehouse-ca.pem');
    writeFileSync(pem, rootCertificates[0]!);
    const synthesized = synthPipeline({ dbCaBundle: pem });
    const { stack, template } = synthesized;
    const environment = template.toJSON().Resources[synthesized.logicalId(stack.load.lambda.function)].Properties.Environment.Variables;
    expect(environment.DB_CA_BUNDLE).toBe('/var/task/db-ca-bundle.pem');
  });

  it('may only list and read batches and manifests, and read the warehouse secret', () => {
    const synthesized = synthPipeline({ processedPrefix: 'star' });
    const { stack } = synthesized;
    const processedArn = { 'Fn::GetAtt': [synthesized.logicalId(stack.buckets.processed), 'Arn'] };
    const secretId = Object.keys(synthesized.template.findResources('AWS::SecretsManager::Secret'))[0];
    expect(statementsOfRole(synthesized, stack.load.lambda.role)).toEqual([
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: { 'Fn::GetAtt': [synthesized.logicalId(stack.load.lambda.logGroup), 'Arn'] },
      },
      {
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: [{ 'Fn::Join': ['', [processedArn, '/star/batches/*']] }, { 'Fn::Join': ['', [processedArn, '/star/manifests/*']] }],
      },
      {
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: processedArn,
        Condition: { StringLike: { 's3:prefix': ['star/batches/*', 'star/manifests/*'] } },
      },
      {
        Effect: 'Allow',
        Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
        Resource: { Ref: secretId },
      },
      {
        Effect: 'Allow',
        Action: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'],
        Resource: { 'Fn::GetAtt': [synthesized.logicalId(stack.load.deadLetterQueue), 'Arn'] },
      },
    ]);
  });

  it('uses an existing secret by complete ARN, granting read on exactly that secret', () => {
    const synthesized = synthPipeline({ dbSecret: SECRET_ARN });
    const { stack, template } = synthesized;
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    expect(statementsOfRole(synthesized, stack.load.lambda.role)).toContainEqual({
      Effect: 'Allow',
      Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
      Resource: SECRET_ARN,
    });
    const environment = template.toJSON().Resources[synthesized.logicalId(stack.load.lambda.function)].Properties.Environment.Variables;
    expect(environment.DB_SECRET_ARN).toBe(SECRET_ARN);
  });

  it('uses an existing secret by name, granting read on that name plus its random suffix', () => {
    const synthesized = synthPipeline({ dbSecret: 'totesys/warehouse' });
    const statements = statementsOfRole(synthesized, synthesized.stack.load.lambda.role);
    const secretStatement = statements.find((statement) => statement.Action.includes('secretsmanager:GetSecretValue'));
    expect(JSON.stringify(secretStatement?.Resource)).toMatch(/:secret:totesys\/warehouse-\?\?\?\?\?\?"/);
  });

  it('runs in the given private subnets with a security group it creates, and outputs that group for the database rule', () => {
    const synthesized = synthPipeline({
      vpcId: 'vpc-0123456789abcdef0',
      subnetIds: 'subnet-0123456789abcdef0,subnet-89abcdef',
    });
    const { stack, template } = synthesized;
    const securityGroup = stack.load.createdSecurityGroup!;
    // Out only to AWS APIs over HTTPS and to the warehouse port: not everything.
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      VpcId: 'vpc-0123456789abcdef0',
      SecurityGroupEgress: [
        {
          CidrIp: '0.0.0.0/0',
          IpProtocol: 'tcp',
          FromPort: 443,
          ToPort: 443,
          Description: 'AWS APIs (S3, Secrets Manager, CloudWatch) over HTTPS',
        },
        { CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, Description: 'the warehouse (Postgres)' },
      ],
    });
    const properties = template.toJSON().Resources[synthesized.logicalId(stack.load.lambda.function)].Properties;
    expect(properties.VpcConfig).toEqual({
      SubnetIds: ['subnet-0123456789abcdef0', 'subnet-89abcdef'],
      SecurityGroupIds: [{ 'Fn::GetAtt': [synthesized.logicalId(securityGroup), 'GroupId'] }],
    });
    template.hasOutput('LoadSecurityGroupId', { Value: { 'Fn::GetAtt': [synthesized.logicalId(securityGroup), 'GroupId'] } });
    // Attaching to a VPC needs the EC2 network-interface actions.
    expect(template.toJSON().Resources[synthesized.logicalId(stack.load.lambda.role)].Properties.ManagedPolicyArns).toEqual([
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole']] },
    ]);
    // The transform never talks to the database, so it stays outside the VPC.
    expect(template.toJSON().Resources[synthesized.logicalId(stack.transform.lambda.function)].Properties.VpcConfig).toBeUndefined();
  });

  it('opens the created security group to the warehouse port given with dbPort', () => {
    const synthesized = synthPipeline({ vpcId: 'vpc-0123456789abcdef0', subnetIds: 'subnet-0123456789abcdef0', dbPort: '6432' });
    const group = synthesized.template.toJSON().Resources[synthesized.logicalId(synthesized.stack.load.createdSecurityGroup!)];
    expect(group.Properties.SecurityGroupEgress.map((rule: { FromPort: number }) => rule.FromPort)).toEqual([443, 6432]);
  });

  it('uses the given security groups instead of creating one', () => {
    const synthesized = synthPipeline({
      vpcId: 'vpc-0123456789abcdef0',
      subnetIds: 'subnet-0123456789abcdef0',
      securityGroupIds: 'sg-0123456789abcdef0',
    });
    const { stack, template } = synthesized;
    template.resourceCountIs('AWS::EC2::SecurityGroup', 0);
    expect(stack.load.createdSecurityGroup).toBeUndefined();
    expect(template.toJSON().Resources[synthesized.logicalId(stack.load.lambda.function)].Properties.VpcConfig).toEqual({
      SubnetIds: ['subnet-0123456789abcdef0'],
      SecurityGroupIds: ['sg-0123456789abcdef0'],
    });
  });
});
