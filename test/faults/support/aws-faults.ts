/**
 * Fault injection for AWS SDK clients that aws-sdk-client-mock already answers (FakeS3,
 * FakeSsm, a Secrets Manager mock): every `send` of the client class passes through here
 * first, so a planned fault fails, hangs or corrupts the call before (or after) the fake
 * answers it. It works for clients the code under test builds itself, such as the Lambda
 * handlers' own.
 *
 * The mocks bypass the SDK's middleware, so its own retries do not run: an injected error
 * is one that outlasted them.
 */
import { Readable } from 'node:stream';
import { S3ServiceException } from '@aws-sdk/client-s3';
import { SSMServiceException } from '@aws-sdk/client-ssm';
import { SecretsManagerServiceException } from '@aws-sdk/client-secrets-manager';
import { sdkStreamMixin } from '@smithy/util-stream';

type Input = Record<string, unknown>;
interface Command {
  readonly input: Input;
}
type Send = (this: unknown, command: Command, ...rest: unknown[]) => Promise<unknown>;
/** An SDK client class (its `send` typing is too overloaded to name; it is reached through this). */
interface ClientClass {
  readonly name: string;
  readonly prototype: object;
}

export type FaultEffect =
  /** The call fails with this error. */
  | { readonly kind: 'error'; readonly error: () => Error }
  /** The call never completes: the invocation is stuck, as at a Lambda timeout. */
  | { readonly kind: 'hang' }
  /** The call succeeds, but its body stream breaks after `bytes` bytes (a reset connection). */
  | { readonly kind: 'broken-body'; readonly bytes: number };

export interface FaultRule {
  /** The command's class name, e.g. `PutObjectCommand`. */
  readonly command: string;
  /** Only calls whose input matches; all when absent. */
  readonly when?: (input: Input) => boolean;
  /** How many matching calls to fault; every one when absent. */
  readonly times?: number;
  readonly effect: FaultEffect;
}

export interface InjectedFault {
  readonly command: string;
  readonly input: Input;
  readonly effect: FaultEffect['kind'];
}

interface ActiveRule extends FaultRule {
  remaining: number;
}

export class AwsFaults {
  /** Every fault injected since the last clear(), in order. */
  readonly injected: InjectedFault[] = [];
  private rules: ActiveRule[] = [];
  private inner: Send | undefined;
  private hangListeners: ((fault: InjectedFault) => void)[] = [];
  /** When set, decides per call whether it fails (after the rules): chaos runs. */
  chaos: ((command: string, input: Input) => FaultEffect | undefined) | undefined;

  constructor(private readonly client: ClientClass) {}

  /**
   * Wraps the class's (already mocked) `send`. Install after the mock; uninstall before
   * resetting or restoring it (aws-sdk-client-mock replaces `send` then).
   */
  install(): void {
    if (this.inner) return;
    const prototype = this.prototype();
    const inner = prototype.send;
    this.inner = inner;
    const faults = this;
    prototype.send = function send(this: unknown, command: Command, ...rest: unknown[]) {
      return faults.dispatch(this, inner, command, rest);
    };
  }

  uninstall(): void {
    if (this.inner) this.prototype().send = this.inner;
    this.inner = undefined;
  }

  private prototype(): { send: Send } {
    return this.client.prototype as { send: Send };
  }

  inject(rule: FaultRule): void {
    this.rules.push({ ...rule, remaining: rule.times ?? Number.POSITIVE_INFINITY });
  }

  /** Forgets the rules not yet spent (keeps the record of injected faults). */
  dropRules(): void {
    this.rules = [];
  }

  clear(): void {
    this.rules = [];
    this.chaos = undefined;
    this.injected.length = 0;
  }

  /** Resolves when a call next hangs (the point at which a test treats the invocation as timed out). */
  nextHang(): Promise<InjectedFault> {
    return new Promise((resolve) => this.hangListeners.push(resolve));
  }

  count(command?: string): number {
    return this.injected.filter((fault) => command === undefined || fault.command === command).length;
  }

  private async dispatch(self: unknown, inner: Send, command: Command, rest: unknown[]): Promise<unknown> {
    const name = command.constructor.name;
    const effect = this.takeEffect(name, command.input);
    if (effect === undefined) return inner.call(self, command, ...rest);
    const fault = { command: name, input: command.input, effect: effect.kind };
    this.injected.push(fault);
    switch (effect.kind) {
      case 'error':
        throw effect.error();
      case 'hang': {
        const listeners = this.hangListeners;
        this.hangListeners = [];
        for (const listener of listeners) listener(fault);
        return new Promise(() => {});
      }
      case 'broken-body': {
        const response = (await inner.call(self, command, ...rest)) as { Body?: AsyncIterable<Uint8Array> };
        return { ...response, Body: sdkStreamMixin(Readable.from(breakAfter(response.Body!, effect.bytes))) };
      }
    }
  }

  private takeEffect(name: string, input: Input): FaultEffect | undefined {
    for (const rule of this.rules) {
      if (rule.remaining <= 0 || rule.command !== name || (rule.when && !rule.when(input))) continue;
      rule.remaining--;
      return rule.effect;
    }
    return this.chaos?.(name, input);
  }
}

async function* breakAfter(body: AsyncIterable<Uint8Array>, bytes: number): AsyncGenerator<Buffer> {
  let sent = 0;
  for await (const chunk of body) {
    const room = bytes - sent;
    if (chunk.length >= room) {
      if (room > 0) yield Buffer.from(chunk.subarray(0, room));
      break;
    }
    sent += chunk.length;
    yield Buffer.from(chunk);
  }
  throw Object.assign(new Error('aborted'), { name: 'Error', code: 'ECONNRESET' });
}

/** Errors as the SDK raises them once its retries are spent. */
export const awsErrors = {
  s3SlowDown: () =>
    new S3ServiceException({
      name: 'SlowDown',
      $fault: 'server',
      $metadata: { httpStatusCode: 503, attempts: 3 },
      message: 'Please reduce your request rate.',
    }),
  s3InternalError: () =>
    new S3ServiceException({
      name: 'InternalError',
      $fault: 'server',
      $metadata: { httpStatusCode: 500, attempts: 3 },
      message: 'We encountered an internal error. Please try again.',
    }),
  s3ServiceUnavailable: () =>
    new S3ServiceException({
      name: 'ServiceUnavailable',
      $fault: 'server',
      $metadata: { httpStatusCode: 503, attempts: 3 },
      message: 'Service Unavailable',
    }),
  ssmThrottling: () =>
    new SSMServiceException({
      name: 'ThrottlingException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400, attempts: 3 },
      message: 'Rate exceeded',
    }),
  ssmInternalServerError: () =>
    new SSMServiceException({
      name: 'InternalServerError',
      $fault: 'server',
      $metadata: { httpStatusCode: 500, attempts: 3 },
      message: 'An error occurred on the server side.',
    }),
  secretsThrottling: () =>
    new SecretsManagerServiceException({
      name: 'ThrottlingException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400, attempts: 3 },
      message: 'Rate exceeded',
    }),
  secretsInternalServiceError: () =>
    new SecretsManagerServiceException({
      name: 'InternalServiceError',
      $fault: 'server',
      $metadata: { httpStatusCode: 500, attempts: 3 },
      message: 'An error occurred on the server side.',
    }),
  secretsAccessDenied: () =>
    new SecretsManagerServiceException({
      name: 'AccessDeniedException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
      message: 'User: arn:aws:sts::123456789012:assumed-role/load/load is not authorized to perform: secretsmanager:GetSecretValue',
    }),
  secretsDecryptionFailure: () =>
    new SecretsManagerServiceException({
      name: 'DecryptionFailure',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
      message: 'Secrets Manager can not decrypt the protected secret text using the provided KMS key.',
    }),
  secretsNotFound: () =>
    new SecretsManagerServiceException({
      name: 'ResourceNotFoundException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
      message: "Secrets Manager can't find the specified secret.",
    }),
};
