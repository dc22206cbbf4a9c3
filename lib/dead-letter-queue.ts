/** An SQS queue that keeps failed events for 14 days (the SQS maximum) so they can be redriven. */
import { Duration } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { acknowledge } from './nag';

const DEAD_LETTER_RETENTION = Duration.days(14);

export function deadLetterQueue(scope: Construct, id: string): sqs.Queue {
  const queue = new sqs.Queue(scope, id, {
    retentionPeriod: DEAD_LETTER_RETENTION,
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
  });
  acknowledge(
    queue,
    'AwsSolutions-SQS3',
    "This queue is itself a dead-letter destination (Lambda on-failure / Scheduler DLQ); cdk-nag only recognises DLQs named in another queue's redrive policy.",
  );
  return queue;
}
