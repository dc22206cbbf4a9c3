/** The Transform Lambda's environment (docs/ARCHITECTURE.md "Lambda configuration"). */
import { ConfigurationError } from '../core/errors';
import { ENV } from '../environment';

export interface TransformConfig {
  /** The only bucket whose objects the transform reads: events naming another are ignored. */
  readonly ingestionBucket: string;
  /** Key prefix of ingestion objects ('' or ending with "/"): keys outside it are ignored. */
  readonly ingestionPrefix: string;
  readonly processedBucket: string;
  /** Key prefix in the processed bucket; '' for none. */
  readonly processedPrefix: string;
  /** SSM path under which `<table>/last-processed-sequence` is kept. */
  readonly sequenceParameterPath: string;
}

export { ConfigurationError };

export function readTransformConfig(env: Readonly<Record<string, string | undefined>>): TransformConfig {
  const processedBucket = required(env, ENV.processedBucket);
  const sequenceParameterPath = required(env, ENV.sequenceParameterPath);
  if (!sequenceParameterPath.startsWith('/')) {
    throw new ConfigurationError(
      `Transform Lambda misconfigured: ${ENV.sequenceParameterPath} must be an SSM path starting with "/", got "${sequenceParameterPath}"`,
    );
  }
  const ingestionBucket = required(env, ENV.ingestionBucket);
  const rawPrefix = env[ENV.ingestionPrefix]?.trim() ?? '';
  const ingestionPrefix = rawPrefix === '' || rawPrefix.endsWith('/') ? rawPrefix : `${rawPrefix}/`;
  return {
    ingestionBucket,
    ingestionPrefix,
    processedBucket,
    processedPrefix: env[ENV.processedPrefix]?.trim() ?? '',
    sequenceParameterPath,
  };
}

function required(env: Readonly<Record<string, string | undefined>>, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ConfigurationError(`Transform Lambda misconfigured: environment variable ${name} is not set`);
  return value;
}
