/**
 * A pipeline Lambda: TypeScript handler bundled locally by esbuild (no Docker), Node.js 22 on
 * arm64, with its own role that starts with nothing but writing to its own log group.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Duration, Stack } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE, PIPELINE_NAME_VARIABLE } from '../lambdas/core/metric-names';
import type { LogLevel } from './config/pipeline-config';
import { LAMBDA_BUNDLE, LAMBDA_NODE_OPTIONS } from './lambda-bundle';
import { acknowledge } from './nag';

export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));
const LAMBDA_RUNTIME = lambda.Runtime.NODEJS_22_X;
const LOG_RETENTION = logs.RetentionDays.THREE_MONTHS;

export interface PipelineFunctionProps {
  /** Handler file relative to the project root; it exports `handler`. */
  readonly entry: string;
  readonly description: string;
  /** POWERTOOLS_SERVICE_NAME: tells the two Lambdas' logs apart. */
  readonly serviceName: string;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly environment: Record<string, string>;
  readonly logLevel: LogLevel;
  /** Concurrent executions reserved (and allowed); 1 serialises invocations. */
  readonly reservedConcurrentExecutions: number;
  /** Files copied into the bundle next to the handler (e.g. a CA bundle). */
  readonly bundledFiles?: readonly { readonly source: string; readonly name: string }[];
  readonly vpc?: {
    readonly vpc: ec2.IVpc;
    readonly subnets: ec2.SubnetSelection;
    readonly securityGroups: ec2.ISecurityGroup[];
  };
}

const shellQuote = (text: string) => `'${text.replace(/'/g, "'\\''")}'`;

export class PipelineFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: PipelineFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: LOG_RETENTION });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${props.description}`,
    });
    this.logGroup.grantWrite(this.role);
    if (props.vpc) {
      this.role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaVPCAccessExecutionRole'));
      acknowledge(
        this.role,
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
        'Lambda needs these EC2 network-interface actions to attach the function to the VPC; they cannot be scoped to resources, so the AWS-maintained policy is used.',
      );
    }

    this.function = new NodejsFunction(this, 'Function', {
      entry: join(PROJECT_ROOT, props.entry),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      description: props.description,
      runtime: LAMBDA_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      role: this.role,
      logGroup: this.logGroup,
      environment: {
        ...props.environment,
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        // The `pipeline` dimension of every metric, which the alarms select on.
        [PIPELINE_NAME_VARIABLE]: Stack.of(this).stackName,
        POWERTOOLS_LOG_LEVEL: props.logLevel,
        NODE_OPTIONS: LAMBDA_NODE_OPTIONS,
      },
      ...(props.vpc && {
        vpc: props.vpc.vpc,
        vpcSubnets: props.vpc.subnets,
        securityGroups: props.vpc.securityGroups,
      }),
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        target: LAMBDA_BUNDLE.target,
        mainFields: [...LAMBDA_BUNDLE.mainFields],
        banner: LAMBDA_BUNDLE.banner,
        minify: LAMBDA_BUNDLE.minify,
        sourceMap: LAMBDA_BUNDLE.sourceMap,
        sourcesContent: LAMBDA_BUNDLE.sourcesContent,
        // The pinned SDK clients are bundled so Lambda runs the versions the tests ran.
        bundleAwsSDK: true,
        externalModules: [...LAMBDA_BUNDLE.externalModules],
        ...(props.bundledFiles?.length && {
          commandHooks: {
            beforeBundling: () => [],
            beforeInstall: () => [],
            afterBundling: (_inputDir: string, outputDir: string) =>
              props.bundledFiles!.map(({ source, name }) => `cp ${shellQuote(source)} ${shellQuote(join(outputDir, name))}`),
          },
        }),
      },
    });
    acknowledge(
      this.function,
      'AwsSolutions-L1',
      'Pinned to nodejs22.x, the runtime the handlers are built and tested for; moving to a newer runtime is a tested change, not an automatic one.',
    );
  }
}
