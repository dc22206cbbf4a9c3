/**
 * Redriving a deployed stack's dead-letter queues (docs/DEPLOY.md), against mocked SQS and
 * Lambda: each failed S3 event goes back to the transform asynchronously and its message is
 * deleted only once the invoke is accepted; the load queue gets one run and a purge.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { redriveLoadDeadLetters, redriveTransformDeadLetters } from '../../ops/dead-letters';

const sqsMock = mockClient(SQSClient);
const lambdaMock = mockClient(LambdaClient);
const clients = { sqs: new SQSClient({ region: 'eu-west-2' }), lambda: new LambdaClient({ region: 'eu-west-2' }) };
const TRANSFORM = { queueUrl: 'https://sqs.eu-west-2.amazonaws.com/123456789012/transform-dlq', functionName: 'TotesysElt-Transform' };
const LOAD = { queueUrl: 'https://sqs.eu-west-2.amazonaws.com/123456789012/load-dlq', functionName: 'TotesysElt-Load' };

/** An S3 event as S3 sends it: the key URL-encoded with `+` for space. */
function s3Event(encodedKey: string) {
  return {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        eventName: 'ObjectCreated:Put',
        s3: { bucket: { name: 'totesys-ingestion' }, object: { key: encodedKey, eTag: 'abc123', size: 10 } },
      },
    ],
  };
}

/** Lambda's failure record for an asynchronous invocation, as the on-failure destination receives it. */
function failureRecord(encodedKey: string, error: string, condition = 'RetriesExhausted') {
  return JSON.stringify({
    version: '1.0',
    timestamp: '2024-11-20T12:00:00.000Z',
    requestContext: {
      requestId: 'r1',
      functionArn: 'arn:aws:lambda:eu-west-2:123456789012:function:TotesysElt-Transform:$LATEST',
      condition,
      approximateInvokeCount: 3,
    },
    requestPayload: s3Event(encodedKey),
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    responsePayload: { errorType: 'BadObjectError', errorMessage: error },
  });
}

const MESSAGES = [
  { MessageId: 'm1', ReceiptHandle: 'h1', Body: failureRecord('landing/sales_order/0000000004_20241120T120000000.jsonl', 'schema drift') },
  {
    MessageId: 'm2',
    ReceiptHandle: 'h2',
    Body: failureRecord('landing+zone/payment/0000000009_20241120T120000000.jsonl.gz', 'corrupt gzip', 'EventAgeExceeded'),
  },
  { MessageId: 'm3', ReceiptHandle: 'h3', Body: 'not a failure record' },
];

beforeEach(() => {
  sqsMock.reset();
  lambdaMock.reset();
  // Two pages of messages, then an empty queue.
  sqsMock
    .on(ReceiveMessageCommand)
    .resolvesOnce({ Messages: MESSAGES.slice(0, 2) })
    .resolvesOnce({ Messages: MESSAGES.slice(2) })
    .resolves({ Messages: [] });
  sqsMock.on(DeleteMessageCommand).resolves({});
  sqsMock.on(ChangeMessageVisibilityCommand).resolves({});
});

const invokedPayloads = () =>
  lambdaMock.commandCalls(InvokeCommand).map((call) => JSON.parse(new TextDecoder().decode(call.args[0].input.Payload as Uint8Array)));

describe('transform dead-letter redrive', () => {
  it('re-invokes the transform with each original event, deleting a message only when its invoke was accepted', async () => {
    lambdaMock.on(InvokeCommand).resolvesOnce({ StatusCode: 202 }).rejectsOnce(new Error('Rate exceeded'));
    const result = await redriveTransformDeadLetters(clients, TRANSFORM);

    expect(lambdaMock).toHaveReceivedCommandTimes(InvokeCommand, 2);
    for (const call of lambdaMock.commandCalls(InvokeCommand)) {
      expect(call.args[0].input).toMatchObject({ FunctionName: TRANSFORM.functionName, InvocationType: 'Event' });
    }
    expect(invokedPayloads()).toEqual([
      s3Event('landing/sales_order/0000000004_20241120T120000000.jsonl'),
      s3Event('landing+zone/payment/0000000009_20241120T120000000.jsonl.gz'),
    ]);
    expect(sqsMock).toHaveReceivedCommandTimes(DeleteMessageCommand, 1);
    expect(sqsMock).toHaveReceivedCommandWith(DeleteMessageCommand, { QueueUrl: TRANSFORM.queueUrl, ReceiptHandle: 'h1' });
    // The unreadable message goes straight back; the one whose invoke failed stays hidden for this run.
    expect(sqsMock.commandCalls(ChangeMessageVisibilityCommand).map((c) => c.args[0].input)).toEqual([
      { QueueUrl: TRANSFORM.queueUrl, ReceiptHandle: 'h3', VisibilityTimeout: 0 },
    ]);
    expect(result.messages).toEqual([
      {
        messageId: 'm1',
        condition: 'RetriesExhausted',
        objectKeys: ['landing/sales_order/0000000004_20241120T120000000.jsonl'],
        error: 'BadObjectError: schema drift',
        outcome: 'redriven',
      },
      {
        messageId: 'm2',
        condition: 'EventAgeExceeded',
        objectKeys: ['landing zone/payment/0000000009_20241120T120000000.jsonl.gz'],
        error: 'BadObjectError: corrupt gzip',
        outcome: 'kept',
        reason: 'invoke failed: Rate exceeded',
      },
      { messageId: 'm3', objectKeys: [], outcome: 'kept', reason: 'not a Lambda failure record (no requestPayload); inspect it by hand' },
    ]);
  });

  it('with dryRun lists the messages and puts every one back untouched', async () => {
    const result = await redriveTransformDeadLetters(clients, TRANSFORM, { dryRun: true });
    expect(lambdaMock).not.toHaveReceivedCommand(InvokeCommand);
    expect(sqsMock).not.toHaveReceivedCommand(DeleteMessageCommand);
    expect(sqsMock.commandCalls(ChangeMessageVisibilityCommand).map((c) => c.args[0].input.ReceiptHandle)).toEqual(['h1', 'h2', 'h3']);
    expect(result.messages.map((m) => m.outcome)).toEqual(['would-redrive', 'would-redrive', 'kept']);
  });

  it('stops at an empty queue', async () => {
    sqsMock.on(ReceiveMessageCommand).resolves({});
    const result = await redriveTransformDeadLetters(clients, TRANSFORM);
    expect(result.messages).toEqual([]);
    expect(sqsMock).toHaveReceivedCommandTimes(ReceiveMessageCommand, 1);
    expect(sqsMock).toHaveReceivedCommandWith(ReceiveMessageCommand, {
      QueueUrl: TRANSFORM.queueUrl,
      WaitTimeSeconds: 1,
      VisibilityTimeout: 300,
    });
  });
});

describe('load dead-letter redrive', () => {
  it('starts one load run and purges the queue', async () => {
    sqsMock
      .on(GetQueueAttributesCommand)
      .resolves({ Attributes: { ApproximateNumberOfMessages: '2', ApproximateNumberOfMessagesNotVisible: '1' } });
    sqsMock.on(PurgeQueueCommand).resolves({});
    lambdaMock.on(InvokeCommand).resolves({ StatusCode: 202 });
    const result = await redriveLoadDeadLetters(clients, LOAD);
    expect(result).toEqual({ ...LOAD, dryRun: false, messages: 3, outcome: 'run-started-and-purged' });
    expect(lambdaMock).toHaveReceivedCommandTimes(InvokeCommand, 1);
    expect(lambdaMock).toHaveReceivedCommandWith(InvokeCommand, { FunctionName: LOAD.functionName, InvocationType: 'Event' });
    expect(invokedPayloads()).toEqual([{}]);
    expect(sqsMock).toHaveReceivedCommandWith(PurgeQueueCommand, { QueueUrl: LOAD.queueUrl });
  });

  it('does nothing for an empty queue, and only reports with dryRun', async () => {
    sqsMock
      .on(GetQueueAttributesCommand)
      .resolvesOnce({ Attributes: { ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' } });
    expect((await redriveLoadDeadLetters(clients, LOAD)).outcome).toBe('empty');
    sqsMock.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '4' } });
    expect(await redriveLoadDeadLetters(clients, LOAD, { dryRun: true })).toMatchObject({ messages: 4, outcome: 'would-run-and-purge' });
    expect(lambdaMock).not.toHaveReceivedCommand(InvokeCommand);
    expect(sqsMock).not.toHaveReceivedCommand(PurgeQueueCommand);
  });

  it('keeps the messages when the run is not accepted', async () => {
    sqsMock.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '1' } });
    lambdaMock.on(InvokeCommand).rejects(new Error('TooManyRequestsException'));
    await expect(redriveLoadDeadLetters(clients, LOAD)).rejects.toThrow('TooManyRequestsException');
    expect(sqsMock).not.toHaveReceivedCommand(PurgeQueueCommand);
  });
});
