/**
 * Objects that cannot be processed as a whole (schema drift, not JSON Lines, corrupt gzip,
 * a key outside the format): the transform fails with an error naming the object (and
 * line and column where there is one), publishes nothing and leaves the sequence alone, so
 * the event is retried and then held in the DLQ; never dropped, never guessed. And the
 * objects that look odd but are valid (empty ones).
 */
import { gzipSync } from 'node:zlib';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { TransformMetric } from '../../lambdas/core/metric-names';
import { BadInputHarness } from './support/harness';
import { body, validLine, withExtraKey, withRawValue, withoutColumn } from './support/source-lines';

const h = new BadInputHarness();
beforeEach(() => h.reset());
afterAll(() => h.restore());

const design = (id: number) => validLine('design', { design_id: id });

/** Asserts the object failed as a bad object and left no trace but the error. */
async function expectHeld(key: string, bodyBytes: string | Uint8Array, error: Record<string, unknown>, options: { gzip?: boolean } = {}) {
  const outcome = await h.transform(key, bodyBytes, options);
  expect(outcome.summary).toBeUndefined();
  expect(outcome.error).toMatchObject(error);
  expect(h.processedKeys()).toEqual([]);
  expect(h.lastSequence('design')).toBeUndefined();
  expect(h.metrics.total(TransformMetric.ObjectsFailed)).toBe(1);
  expect(h.log.at('error')).toEqual([
    expect.objectContaining({
      message: 'transform failed',
      attributes: expect.objectContaining({ sourceKey: key, errorName: error.name, error: outcome.error!.message }),
    }),
  ]);
  return outcome.error!;
}

describe('schema drift: the object is held with a clear error', () => {
  it('an unknown column on a later line', async () => {
    const key = h.key('design', 1);
    const error = await expectHeld(key, body(design(1), design(2), withExtraKey(design(3), 'colour', '"red"')), {
      name: 'BadObjectError',
      objectKey: key,
      line: 3,
      column: 'colour',
      reason: 'schema drift: "colour" is not a column of table design',
    });
    expect(error.message).toBe(
      `cannot process ingestion object "${key}" (line 3, column "colour"): schema drift: "colour" is not a column of table design`,
    );
  });

  it('a missing column', async () => {
    const key = h.key('design', 1);
    await expectHeld(key, body(withoutColumn(design(1), 'file_name'), design(2)), {
      name: 'BadObjectError',
      line: 1,
      column: 'file_name',
      reason: 'schema drift: column "file_name" of table design is missing',
    });
  });

  it('an empty JSON object as a row', async () => {
    await expectHeld(h.key('design', 1), body(design(1), '{}'), {
      name: 'BadObjectError',
      line: 2,
      column: 'design_id',
      reason: 'schema drift: column "design_id" of table design is missing',
    });
  });

  it('drift wins over a bad value on the same line', async () => {
    await expectHeld(h.key('design', 1), body(design(1), withRawValue(withExtraKey(design(2), 'colour', '"red"'), 'design_id', '"x"')), {
      name: 'BadObjectError',
      line: 2,
      column: 'colour',
    });
  });

  it('drift after thousands of good rows, in a gzip object streamed in small chunks: still nothing published', async () => {
    h.s3.chunkSize = 97;
    const rows = Array.from({ length: 3000 }, (_, i) => design(i + 1));
    rows.push(withoutColumn(design(3001), 'design_name'));
    const key = h.key('design', 1, { gzip: true });
    await expectHeld(key, body(...rows), { name: 'BadObjectError', line: 3001, column: 'design_name' }, { gzip: true });
  });

  it('is retried and fails the same way until the object is fixed; the fixed object then flows', async () => {
    const key = h.key('design', 2);
    const drifted = body(design(1), withExtraKey(design(2), 'colour', '"red"'));
    expect((await h.transform(key, drifted)).error?.name).toBe('BadObjectError');
    expect((await h.transform(key, drifted)).error?.name).toBe('BadObjectError');
    expect(h.processedKeys()).toEqual([]);
    const fixed = await h.transform(key, body(design(1), design(2)));
    expect(fixed.summary).toMatchObject({ outcome: 'processed', rowsIn: 2, rowsRejected: 0 });
    expect((await h.rows('design', 2, 'dim_design')).map((r) => r.design_id)).toEqual([1, 2]);
    expect(h.lastSequence('design')).toBe('2');
  });
});

describe('not JSON Lines, or not the compression the key says', () => {
  it('text that is not JSON at all', async () => {
    await expectHeld(h.key('design', 1), 'design_id,design_name\n1,Wooden\n', {
      name: 'BadObjectError',
      line: 1,
      reason: 'not JSON Lines: none of its 2 non-blank line(s) is a JSON object',
    });
  });

  it('a .gz key whose body is not gzip', async () => {
    const key = h.key('design', 1, { gzip: true });
    await expectHeld(key, body(design(1)), { name: 'BadObjectError', objectKey: key, reason: 'corrupt gzip: incorrect header check' });
  });

  it('truncated gzip, after its rows were read', async () => {
    const gzip = gzipSync(Buffer.from(body(design(1), design(2), design(3))));
    const key = h.key('design', 1, { gzip: true });
    await expectHeld(key, gzip.subarray(0, gzip.length - 12), {
      name: 'BadObjectError',
      reason: 'corrupt gzip: the compressed data is truncated (unexpected end of file)',
    });
  });

  it('gzip under a plain .jsonl key is recognised by its magic bytes and read', async () => {
    const { summary } = await h.transform(h.key('design', 1), gzipSync(Buffer.from(body(design(1), design(2)))));
    expect(summary).toMatchObject({ rowsIn: 2, rowsOut: { dim_design: 2 } });
  });
});

describe('empty objects are valid batches', () => {
  it.each([
    ['no bytes at all', ''],
    ['only blank lines', '\n\n   \n\t\n'],
    ['only a byte order mark', '\uFEFF'],
    ['an empty gzip member', gzipSync(Buffer.alloc(0))],
  ])('%s: a manifest with no files, the sequence recorded', async (_name, content) => {
    const { summary } = await h.transform(h.key('design', 3), content);
    expect(summary).toMatchObject({ outcome: 'processed', rowsIn: 0, rowsRejected: 0, rowsOut: {} });
    expect(h.manifest('design', 3)).toMatchObject({ rowsIn: 0, files: [] });
    expect(h.lastSequence('design')).toBe('3');
  });
});

describe('object keys outside the format', () => {
  it.each([
    ['DESIGN/0000000001_20241114T093012345.jsonl', 'expected <table>/<10-digit sequence>_<YYYYMMDDTHHMMSSmmm>.jsonl[.gz]'],
    ['widgets/0000000001_20241114T093012345.jsonl', 'unknown table "widgets"'],
    ['design/0000000000_20241114T093012345.jsonl', 'sequence starts at 1'],
    ['design/1_20241114T093012345.jsonl', 'expected <table>/<10-digit sequence>_<YYYYMMDDTHHMMSSmmm>.jsonl[.gz]'],
    ['design/0000000001_2024-11-14.jsonl', 'expected <table>/<10-digit sequence>_<YYYYMMDDTHHMMSSmmm>.jsonl[.gz]'],
    ['design/0000000001_20241114T093012345.jsonl.txt', 'expected <table>/<10-digit sequence>_<YYYYMMDDTHHMMSSmmm>.jsonl[.gz]'],
    ['design\\0000000001_20241114T093012345.jsonl', 'expected <table>/<10-digit sequence>_<YYYYMMDDTHHMMSSmmm>.jsonl[.gz]'],
    [
      "design/0000000001_20241114T093012345.jsonl'; DROP TABLE dim_design; --",
      'expected <table>/<10-digit sequence>_<YYYYMMDDTHHMMSSmmm>.jsonl[.gz]',
    ],
    ['design/../0000000001_20241114T093012345.jsonl', 'expected <table>/<10-digit sequence>_<YYYYMMDDTHHMMSSmmm>.jsonl[.gz]'],
  ])('%s: rejected, naming the key', async (key, reason) => {
    const outcome = await h.transform(key, body(design(1)));
    expect(outcome.error).toMatchObject({ name: 'BadObjectKeyError', key, message: `bad ingestion object key "${key}": ${reason}` });
    expect(h.processedKeys()).toEqual([]);
    expect(h.ssm.parameters.size).toBe(0);
  });
});
