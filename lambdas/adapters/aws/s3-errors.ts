/** How S3's errors are told apart, for both S3 adapters (objects and the ingest stage's store). */
function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

function nameOf(error: unknown): string | undefined {
  return (error as { name?: string })?.name;
}

/** The key does not exist (GetObject's NoSuchKey, HeadObject's bare 404). */
export function isMissing(error: unknown): boolean {
  const name = nameOf(error);
  return name === 'NoSuchKey' || name === 'NotFound' || statusOf(error) === 404;
}

export function isAccessDenied(error: unknown): boolean {
  return nameOf(error) === 'AccessDenied' || statusOf(error) === 403;
}

/**
 * A conditional write lost: 412, the condition does not hold; 409, another conditional
 * write of the key is in flight (S3 asks to retry).
 */
export function isConditionFailure(error: unknown): boolean {
  const name = nameOf(error);
  const status = statusOf(error);
  return name === 'PreconditionFailed' || name === 'ConditionalRequestConflict' || status === 412 || status === 409;
}

/** An ETag as S3 sends it, in quotes, without them. */
export function unquote(etag: string | undefined): string | undefined {
  return etag?.replace(/^"|"$/g, '');
}
