/**
 * The operator CLI: parses the command line, opens the target, runs the command, prints
 * a report (or JSON) and returns the exit code: 0 all well, 1 differences / failures /
 * attention needed, 2 usage errors.
 */
import type { Log } from '../lambdas/core/ports';
import { errorKind, exitCodeFor } from '../lambdas/core/errors';
import { consoleLog } from '../lambdas/adapters/console-log';
import { type Invocation, UsageError, parseCommandLine } from './cli-options';
import { redriveLoadDeadLetters, redriveTransformDeadLetters } from './dead-letters';
import { formatReconciliation } from './reconcile/report';
import { reconcile } from './reconcile/reconcile';
import { replayTransform } from './replay';
import { printable } from './printable';
import { formatLoadRedrive, formatReplay, formatTransformRedrive } from './replay-report';
import { collectStatus } from './status';
import { formatStatus } from './status-report';
import { type AwsClients, type Target, localTarget, stackTarget } from './targets';

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

export interface CliEnvironment {
  /** AWS clients for --stack (tests pass mocked ones); built from --region otherwise. */
  readonly awsClients?: AwsClients;
  readonly now?: () => number;
}

export async function runCli(argv: readonly string[], rawIo: CliIo, environment: CliEnvironment = {}): Promise<number> {
  // Keys, messages and queue bodies are data: nothing reaches the terminal as a control sequence.
  const io: CliIo = { stdout: (text) => rawIo.stdout(printable(text)), stderr: (text) => rawIo.stderr(printable(text)) };
  let invocation: Invocation;
  try {
    invocation = parseCommandLine(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`error: ${error.message}\n\n${error.help ?? ''}`);
      return exitCodeFor(error);
    }
    throw error;
  }
  if (invocation.command === 'help') {
    io.stdout(invocation.text);
    return 0;
  }

  const log = consoleLog(invocation.verbose, io.stderr);
  let target: Target | undefined;
  // Ctrl-C must not leave an embedded warehouse this command started running.
  const interrupted = () => {
    io.stderr('\ninterrupted\n');
    void (target?.close() ?? Promise.resolve()).finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  try {
    target =
      invocation.target.kind === 'local'
        ? localTarget({ ...invocation.target, log })
        : await stackTarget(invocation.target, environment.awsClients);
    return await run(invocation, target, io, environment, log);
  } catch (error) {
    io.stderr(`error: ${(error as Error).message ?? String(error)}\n`);
    // A stack helps with the unexpected; the project's own errors say what is wrong in their message.
    if (invocation.verbose && errorKind(error) === 'internal' && error instanceof Error && error.stack) io.stderr(`${error.stack}\n`);
    return exitCodeFor(error);
  } finally {
    process.off('SIGINT', interrupted);
    await target?.close();
  }
}

async function run(
  invocation: Exclude<Invocation, { command: 'help' }>,
  target: Target,
  io: CliIo,
  environment: CliEnvironment,
  log: Log,
): Promise<number> {
  const print = (value: unknown, text: () => string) => io.stdout(invocation.json ? `${JSON.stringify(value, null, 2)}\n` : text());
  switch (invocation.command) {
    case 'status': {
      const status = await collectStatus(target, { now: environment.now, placeholderAgeSeconds: invocation.placeholderAgeSeconds });
      print({ target: target.description, ...status }, () => formatStatus(status, target.description));
      return status.attention.length > 0 ? 1 : 0;
    }
    case 'reconcile': {
      const result = await reconcile(target, {
        now: environment.now,
        progress: invocation.verbose ? (message) => io.stderr(`${message}\n`) : undefined,
      });
      print({ target: target.description, ...result }, () => formatReconciliation(result, target.description));
      return result.differences.length > 0 ? 1 : 0;
    }
    case 'replay': {
      const { replay } = invocation;
      if (replay.kind === 'dlq') {
        const queues = target.deadLetters!;
        if (replay.queue === 'transform') {
          const result = await redriveTransformDeadLetters(queues.clients, queues.transform, { dryRun: replay.dryRun });
          print(result, () => formatTransformRedrive(result));
          return result.messages.some((message) => message.outcome === 'kept') ? 1 : 0;
        }
        const result = await redriveLoadDeadLetters(queues.clients, queues.load, { dryRun: replay.dryRun });
        print(result, () => formatLoadRedrive(result));
        return 0;
      }
      const result = await replayTransform(target, replay, {
        remote: target.remoteTransform,
        now: environment.now,
        log,
        onObject: invocation.verbose ? (object, index, total) => io.stderr(`replaying ${index + 1}/${total}: ${object.key}\n`) : undefined,
      });
      const failed = result.objects.some((object) => object.outcome === 'failed' || object.outcome === 'refused');
      const load = replay.load && !replay.dryRun ? await target.startLoad() : undefined;
      const next = load
        ? `${load.report}\n${result.queuedTo ? 'Batches the queued transforms commit after that run started load on the next run.\n' : ''}`
        : replay.dryRun
          ? ''
          : 'The next load run picks up batches not loaded yet (or pass --load).\n';
      print({ ...result, ...(load ? { load } : {}) }, () => `${formatReplay(result, replay.dryRun)}${next}`);
      return failed || (load !== undefined && !load.ok) ? 1 : 0;
    }
  }
}
