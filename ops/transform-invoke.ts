/**
 * Sending work to a deployed function asynchronously (`InvocationType: 'Event'`): Lambda
 * queues the event and runs it within the function's reserved concurrency (one at a time
 * for the transform), with the function's retries and dead-letter destination. A
 * synchronous invoke would be throttled while the function is busy. Used by the DLQ
 * redrive and by `replay --stack`.
 */
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';

export interface DeployedFunction {
  readonly lambda: LambdaClient;
  readonly functionName: string;
}

/** Resolves once Lambda has accepted (queued) the event; throws otherwise. */
export async function invokeAsync(target: DeployedFunction, payload: string | object): Promise<void> {
  const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const response = await target.lambda.send(
    new InvokeCommand({ FunctionName: target.functionName, InvocationType: 'Event', Payload: new TextEncoder().encode(text) }),
  );
  if (response.StatusCode !== 202) throw new Error(`Lambda answered status ${response.StatusCode ?? 'none'}, not 202 (accepted)`);
}
