/**
 * `replay --dlq transform|load`: redrive a deployed stack's dead-letter queues as
 * docs/DEPLOY.md "Redriving the dead-letter queues" describes.
 *
 * - transform: each message is Lambda's failure record for an S3 event. Its
 *   `requestPayload` (the original event) is sent back to the transform function
 *   asynchronously, so it gets the usual retries and lands in the queue again if it still
 *   fails; the message is deleted only once the invoke is accepted. Redriving an object
 *   that was processed since changes nothing (the transform skips it).
 * - load: the messages only say that a run failed; there is nothing to replay. One run is
 *   started (it loads everything pending) and the queue is purged.
 *
 * `dryRun` lists what would happen and leaves every message where it was.
 */
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type Message,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { decodeS3EventKey } from '../lambdas/adapters/aws/s3-event';
import { invokeAsync } from './transform-invoke';

export interface DeadLetterQueue {
  readonly queueUrl: string;
  /** The function whose failures the queue holds. */
  readonly functionName: string;
}

export interface DeadLetterClients {
  readonly sqs: SQSClient;
  readonly lambda: LambdaClient;
}

/** What a transform dead letter says, for people. */
interface DeadLetterDescription {
  readonly messageId: string;
  /** `RetriesExhausted` or `EventAgeExceeded`. */
  readonly condition?: string;
  /** The ingestion object keys in the failed event (decoded). */
  readonly objectKeys: readonly string[];
  readonly error?: string;
}

export interface TransformRedriveResult {
  readonly queueUrl: string;
  readonly functionName: string;
  readonly dryRun: boolean;
  /** Every message seen, with what became of it. */
  readonly messages: readonly (DeadLetterDescription & {
    readonly outcome: 'redriven' | 'would-redrive' | 'kept';
    /** Why a message was kept. */
    readonly reason?: string;
  })[];
}

/** How long a received message stays hidden while it is redriven (DEPLOY.md uses the same). */
const REDRIVE_VISIBILITY_SECONDS = 300;
/** Long polling asks every SQS server, so an empty answer means an empty queue. */
const WAIT_SECONDS = 1;

export async function redriveTransformDeadLetters(
  clients: DeadLetterClients,
  queue: DeadLetterQueue,
  options: { readonly dryRun?: boolean } = {},
): Promise<TransformRedriveResult> {
  const dryRun = options.dryRun ?? false;
  const seen = new Set<string>();
  const messages: TransformRedriveResult['messages'][number][] = [];
  const toRelease: string[] = [];
  for (;;) {
    const { Messages = [] } = await clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queue.queueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: REDRIVE_VISIBILITY_SECONDS,
        WaitTimeSeconds: WAIT_SECONDS,
      }),
    );
    const fresh = Messages.filter((message) => message.MessageId && !seen.has(message.MessageId));
    if (fresh.length === 0) break;
    for (const message of fresh) {
      seen.add(message.MessageId!);
      const described = describeDeadLetter(message);
      const payload = requestPayloadOf(message);
      if (payload === undefined) {
        messages.push({ ...described, outcome: 'kept', reason: 'not a Lambda failure record (no requestPayload); inspect it by hand' });
        if (message.ReceiptHandle) toRelease.push(message.ReceiptHandle);
        continue;
      }
      if (dryRun) {
        messages.push({ ...described, outcome: 'would-redrive' });
        if (message.ReceiptHandle) toRelease.push(message.ReceiptHandle);
        continue;
      }
      try {
        await invokeAsync({ lambda: clients.lambda, functionName: queue.functionName }, payload);
        await clients.sqs.send(new DeleteMessageCommand({ QueueUrl: queue.queueUrl, ReceiptHandle: message.ReceiptHandle }));
        messages.push({ ...described, outcome: 'redriven' });
      } catch (error) {
        // The message becomes visible again after the visibility timeout: nothing is lost.
        messages.push({ ...described, outcome: 'kept', reason: `invoke failed: ${(error as Error).message ?? String(error)}` });
      }
    }
  }
  // Messages looked at but not redriven go back to the queue now, not after the timeout.
  for (const receiptHandle of toRelease) {
    await clients.sqs.send(
      new ChangeMessageVisibilityCommand({ QueueUrl: queue.queueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: 0 }),
    );
  }
  return { queueUrl: queue.queueUrl, functionName: queue.functionName, dryRun, messages };
}

export interface LoadRedriveResult {
  readonly queueUrl: string;
  readonly functionName: string;
  readonly dryRun: boolean;
  /** Messages in the queue before (SQS's approximate count). */
  readonly messages: number;
  readonly outcome: 'empty' | 'would-run-and-purge' | 'run-started-and-purged';
}

export async function redriveLoadDeadLetters(
  clients: DeadLetterClients,
  queue: DeadLetterQueue,
  options: { readonly dryRun?: boolean } = {},
): Promise<LoadRedriveResult> {
  const dryRun = options.dryRun ?? false;
  const attributes = await clients.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queue.queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  const messages =
    Number(attributes.Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(attributes.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
  const result = { queueUrl: queue.queueUrl, functionName: queue.functionName, dryRun, messages };
  if (messages === 0) return { ...result, outcome: 'empty' };
  if (dryRun) return { ...result, outcome: 'would-run-and-purge' };
  const response = await clients.lambda.send(
    new InvokeCommand({ FunctionName: queue.functionName, InvocationType: 'Event', Payload: new TextEncoder().encode('{}') }),
  );
  if (response.StatusCode !== 202) {
    throw new Error(`the load function did not accept the run (status ${response.StatusCode ?? 'none'}); the queue was not purged`);
  }
  await clients.sqs.send(new PurgeQueueCommand({ QueueUrl: queue.queueUrl }));
  return { ...result, outcome: 'run-started-and-purged' };
}

function parseBody(message: Message): Record<string, unknown> | undefined {
  try {
    const body: unknown = JSON.parse(message.Body ?? '');
    return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function requestPayloadOf(message: Message): string | undefined {
  const payload = parseBody(message)?.requestPayload;
  return payload === undefined || payload === null ? undefined : JSON.stringify(payload);
}

function describeDeadLetter(message: Message): DeadLetterDescription {
  const body = parseBody(message);
  const context = body?.requestContext as { condition?: unknown } | undefined;
  const response = body?.responsePayload as { errorMessage?: unknown; errorType?: unknown } | undefined;
  const records = (body?.requestPayload as { Records?: unknown } | undefined)?.Records;
  const objectKeys = Array.isArray(records)
    ? records.flatMap((record: { s3?: { object?: { key?: unknown } } }) => {
        const key = record?.s3?.object?.key;
        if (typeof key !== 'string') return [];
        try {
          return [decodeS3EventKey(key)];
        } catch {
          return [key];
        }
      })
    : [];
  const error =
    typeof response?.errorMessage === 'string'
      ? `${typeof response.errorType === 'string' ? `${response.errorType}: ` : ''}${response.errorMessage}`
      : undefined;
  return {
    messageId: message.MessageId ?? '',
    ...(typeof context?.condition === 'string' ? { condition: context.condition } : {}),
    objectKeys,
    ...(error === undefined ? {} : { error }),
  };
}
