/**
 * The project's errors. Every error class the project throws extends PipelineError and
 * says what kind of failure it is; the handlers and CLIs decide what a kind means for
 * them (exit code, metric, retry) from the kind alone, here, not by class or by walking
 * `cause` chains. The kinds are documented in docs/ARCHITECTURE.md ("Errors").
 */

/**
 * - usage: the command line asks for something wrong or impossible (CLI exit code 2).
 * - configuration: the deployment or environment is wrong: a setting, a secret, a permission.
 * - bad-input: data cannot be processed as it stands: an object, a file, a value, stored state.
 * - conflict: another run or writer got there first, or the warehouse is not as expected.
 * - unavailable: a dependency cannot be reached or time ran out; the next run retries.
 * - internal: anything else (a bug, or a failure no class describes).
 */
export type ErrorKind = 'usage' | 'configuration' | 'bad-input' | 'conflict' | 'unavailable' | 'internal';

export const ERROR_KINDS: readonly ErrorKind[] = ['usage', 'configuration', 'bad-input', 'conflict', 'unavailable', 'internal'];

/** The base of every project error: an Error with a kind. Subclasses keep their own name. */
export abstract class PipelineError extends Error {
  abstract readonly kind: ErrorKind;
}

/**
 * The kind of any thrown value: a PipelineError's own kind; for anything else the kind of
 * the first PipelineError in its `cause` chain (a library error wrapping ours); otherwise internal.
 */
export function errorKind(error: unknown): ErrorKind {
  const seen = new Set<unknown>();
  for (let e = error; e instanceof Error && !seen.has(e); e = e.cause) {
    if (e instanceof PipelineError) return e.kind;
    seen.add(e);
  }
  return 'internal';
}

/** The CLIs' exit code for a failure: 2 for a usage error, 1 for any other. */
export function exitCodeFor(error: unknown): 1 | 2 {
  return errorKind(error) === 'usage' ? 2 : 1;
}

/** A setting the deployment or environment got wrong. `component` prefixes the message ("Load Lambda misconfigured: …"). */
export class ConfigurationError extends PipelineError {
  readonly kind = 'configuration';
  constructor(message: string, component?: string) {
    super(component ? `${component} misconfigured: ${message}` : message);
    this.name = 'ConfigurationError';
  }
}

/** A command line the CLI cannot run, with the help to show with it. */
export class UsageError extends PipelineError {
  readonly kind = 'usage';
  override readonly name = 'UsageError';
  constructor(
    message: string,
    /** The help to show with it, when the CLI has one for this error. */
    readonly help?: string,
  ) {
    super(message);
  }
}
