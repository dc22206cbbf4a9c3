/**
 * One errors module (lambdas/core/errors.ts): every project error is a PipelineError with
 * a kind, ConfigurationError and UsageError are defined once, and the CLIs' exit code and
 * the handlers' classification come from the kind.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ConfigurationError,
  ERROR_KINDS,
  type ErrorKind,
  PipelineError,
  UsageError,
  errorKind,
  exitCodeFor,
} from '../../lambdas/core/errors';
import { BatchLoadError, DeadlineReachedError } from '../../lambdas/core/load/errors';
import { BadObjectError } from '../../lambdas/core/objects';
import { TransformLockLostError } from '../../lambdas/core/transform/transform-lock';
import { ConfigurationError as LoadConfigurationError, readLoadConfig } from '../../lambdas/load/config';
import { DatabaseConnectionError } from '../../lambdas/adapters/pg/connect';
import { TlsSettingError } from '../../lambdas/adapters/pg/url-tls';
import { TransformFailedError } from '../../lambdas/transform/handler';
import { ConfigurationError as TransformConfigurationError, readTransformConfig } from '../../lambdas/transform/config';
import { UsageError as LocalUsageError } from '../../local/cli-options';
import { StateMismatchError } from '../../local/generated-data';
import { UsageError as OpsUsageError } from '../../ops/cli-options';
import { ReplayRangeError } from '../../ops/replay';

const ROOT = join(__dirname, '..', '..');
const PRODUCT = ['lambdas', 'lib', 'local', 'ops', 'bin', 'bench'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [relative(ROOT, path)] : [];
  });
}

const SOURCES = PRODUCT.flatMap((dir) => sourceFiles(join(ROOT, dir))).map((file) => ({
  file,
  text: readFileSync(join(ROOT, file), 'utf8'),
}));

describe('project errors', () => {
  it('all extend PipelineError: no class in the product extends Error directly', () => {
    const direct = SOURCES.flatMap(({ file, text }) => [...text.matchAll(/class (\w+) extends Error\b/g)].map((m) => `${file}: ${m[1]}`));
    expect(direct).toEqual(['lambdas/core/errors.ts: PipelineError']);
  });

  it('defines ConfigurationError and UsageError once, shared by the Lambdas and both CLIs', () => {
    const declared = (name: string) => SOURCES.filter(({ text }) => new RegExp(`class ${name}\\b`).test(text)).map(({ file }) => file);
    expect(declared('ConfigurationError')).toEqual(['lambdas/core/errors.ts']);
    expect(declared('UsageError')).toEqual(['lambdas/core/errors.ts']);
    expect(LoadConfigurationError).toBe(ConfigurationError);
    expect(TransformConfigurationError).toBe(ConfigurationError);
    expect(LocalUsageError).toBe(UsageError);
    expect(OpsUsageError).toBe(UsageError);
  });

  it('keep their names and messages, and carry their kind', () => {
    const cases: [Error, string, string][] = [
      [new UsageError('unknown option --x', 'help text'), 'UsageError', 'usage'],
      [new TlsSettingError('sslmode=verify-ca is not supported'), 'TlsSettingError', 'usage'],
      [new StateMismatchError('state made with other settings'), 'StateMismatchError', 'usage'],
      [new BadObjectError('sales_order/x.jsonl', 'not gzip', 3, 'unit_price'), 'BadObjectError', 'bad-input'],
      [new BatchLoadError('sales_order/1', 'no manifest'), 'BatchLoadError', 'bad-input'],
      [new ReplayRangeError('no ingestion objects'), 'ReplayRangeError', 'bad-input'],
      [new TransformLockLostError('locks/sales', 'taken over'), 'TransformLockLostError', 'conflict'],
      [new DatabaseConnectionError('cannot connect'), 'DatabaseConnectionError', 'unavailable'],
      [new DeadlineReachedError('sales_order/1'), 'DeadlineReachedError', 'unavailable'],
    ];
    for (const [error, name, kind] of cases) {
      expect(error).toBeInstanceOf(PipelineError);
      expect({ name: error.name, kind: errorKind(error) }).toEqual({ name, kind });
    }
    expect(new BadObjectError('sales_order/x.jsonl', 'not gzip', 3, 'unit_price').message).toBe(
      'cannot process ingestion object "sales_order/x.jsonl" (line 3, column "unit_price"): not gzip',
    );
  });

  it('name the Lambda in a configuration error, as before', () => {
    expect(() => readLoadConfig({})).toThrow(
      new ConfigurationError('Load Lambda misconfigured: environment variable PROCESSED_BUCKET is not set'),
    );
    let thrown: unknown;
    try {
      readTransformConfig({});
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigurationError);
    expect((thrown as Error).message).toBe('Transform Lambda misconfigured: environment variable PROCESSED_BUCKET is not set');
    expect(errorKind(thrown)).toBe('configuration');
  });

  it('classifies anything else by the first project error down its cause chain, else as internal', () => {
    const wrapped = new Error('pool failed', { cause: new Error('retry gave up', { cause: new DatabaseConnectionError('refused') }) });
    expect(errorKind(wrapped)).toBe('unavailable');
    expect(errorKind(new TypeError('x is undefined'))).toBe('internal');
    expect(errorKind('a string')).toBe('internal');
    const loop = new Error('loop');
    (loop as { cause?: unknown }).cause = loop;
    expect(errorKind(loop)).toBe('internal');
  });

  it('gives a transform failure the kind its objects share, else internal', () => {
    const bad = (key: string) => ({ key, error: new BadObjectError(key, 'not gzip') });
    expect(new TransformFailedError([bad('a'), bad('b')], 2).kind).toBe('bad-input');
    expect(new TransformFailedError([bad('a'), { key: 'b', error: new Error('boom') }], 2).kind).toBe('internal');
  });

  it('map to the CLI exit codes in one place: usage 2, every other kind 1', () => {
    class OfKind extends PipelineError {
      constructor(readonly kind: ErrorKind) {
        super(`a ${kind} error`);
      }
    }
    expect(ERROR_KINDS.map((kind) => [kind, exitCodeFor(new OfKind(kind))])).toEqual(
      ERROR_KINDS.map((kind) => [kind, kind === 'usage' ? 2 : 1]),
    );
    expect(exitCodeFor(new Error('unexpected'))).toBe(1);
  });
});
