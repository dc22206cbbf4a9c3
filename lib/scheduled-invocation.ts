/**
 * How a stage's Lambda runs on a schedule (the ingest and load stages): EventBridge
 * Scheduler invokes it asynchronously through a role only the scheduler of this account may
 * assume; Lambda retries a failed run, and a run that fails every attempt (or that the
 * scheduler could not deliver) lands in the stage's dead-letter queue.
 */
import { Aws, type Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { deadLetterQueue } from './dead-letter-queue';
import { acknowledgeWildcardResources } from './nag';

/** Scheduler retries of a delivery that fails (throttling, the function unavailable). */
const SCHEDULE_RETRY_ATTEMPTS = 3;

export interface ScheduledInvocationProps {
  /** Names the function in descriptions: "the totesys <name> Lambda". */
  readonly name: string;
  readonly function: lambda.IFunction;
  /** An EventBridge Scheduler expression (`rate(…)` or `cron(…)`), already validated. */
  readonly expression: string;
  /** Lambda's own retries of a run that failed. */
  readonly retryAttempts: number;
  /** How long Lambda keeps a queued run before giving up on it. */
  readonly maxEventAge: Duration;
  /** How long the scheduler keeps trying to deliver a run. */
  readonly scheduleMaxEventAge: Duration;
}

export interface ScheduledInvocation {
  readonly deadLetterQueue: sqs.Queue;
  readonly scheduleRole: iam.Role;
  readonly schedule: scheduler.Schedule;
}

export function scheduledInvocation(scope: Construct, props: ScheduledInvocationProps): ScheduledInvocation {
  const queue = deadLetterQueue(scope, 'DeadLetterQueue');
  props.function.configureAsyncInvoke({
    retryAttempts: props.retryAttempts,
    maxEventAge: props.maxEventAge,
    onFailure: new SqsDestination(queue),
  });

  const scheduleRole = new iam.Role(scope, 'ScheduleRole', {
    assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
      conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
    }),
    description: `Lets EventBridge Scheduler invoke the totesys ${props.name} Lambda`,
  });
  acknowledgeWildcardResources(
    scheduleRole,
    [`${props.function.functionArn}:*`],
    "aws-cdk-lib's grantInvoke also covers the function's versions and aliases (<function ARN>:*); it is still this one function.",
  );
  const schedule = new scheduler.Schedule(scope, 'Schedule', {
    description: `Runs the totesys ${props.name} Lambda`,
    schedule: scheduler.ScheduleExpression.expression(props.expression),
    target: new LambdaInvoke(props.function, {
      role: scheduleRole,
      retryAttempts: SCHEDULE_RETRY_ATTEMPTS,
      maxEventAge: props.scheduleMaxEventAge,
      deadLetterQueue: queue,
    }),
  });
  return { deadLetterQueue: queue, scheduleRole, schedule };
}
