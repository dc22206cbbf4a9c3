/** The Transform Lambda handler against fake S3 and SSM (aws-sdk-client-mock). */
import { gzipSync } from 'node:zlib';
import type { Context, S3Event, S3EventRecord } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { isForcedReplay, operatorReplayEvent } from '../../lambdas/adapters/aws/replay-event';
import { FakeS3 } from '../support/s3-mock';
import { FakeSsm } from '../support/ssm-mock';
import { line } from '../support/source-rows';

const s3 = new FakeS3();
const ssm = new FakeSsm();
const ENV = {
  INGESTION_BUCKET: 'ingestion-bucket',
  INGESTION_PREFIX: 'landing zone/',
  PROCESSED_BUCKET: 'processed-bucket',
  PROCESSED_PREFIX: 'warehouse-ready',
  SEQUENCE_PARAMETER_PATH: '/totesys/transform',
  POWERTOOLS_SERVICE_NAME: 'totesys-transform',
  AWS_REGION: 'eu-west-2',
};
const context = {
  functionName: 'transform',
  awsRequestId: 'req-1',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-2:1:function:transform',
} as Context;

/** Everything Powertools printed. */
let printed: string[] = [];

beforeAll(() => {
  for (const [name, value] of Object.entries(ENV)) vi.stubEnv(name, value);
});
beforeEach(() => {
  s3.reset();
  ssm.reset();
  printed = [];
  // Powertools writes logs and EMF metrics to stdout, error logs to stderr.
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      printed.push(String(chunk));
      return true;
    });
  }
});
afterEach(() => vi.restoreAllMocks());
afterAll(() => {
  vi.unstubAllEnvs();
  s3.restore();
  ssm.restore();
});

/** Ingestion objects live under this prefix (ENV.INGESTION_PREFIX). */
const P = 'landing zone/';

/** An S3 record for an (already URL-encoded) key, as S3 sends it. */
function record(key: string, etag?: string, eventName = 'ObjectCreated:Put', bucket = 'ingestion-bucket'): S3EventRecord {
  return {
    eventName,
    s3: { bucket: { name: bucket }, object: { key, eTag: etag, size: 1 } },
  } as unknown as S3EventRecord;
}

/** S3's form encoding of a key: `+` for space, `/` kept. */
function encoded(key: string): string {
  return encodeURIComponent(key).replace(/%2F/g, '/').replace(/%20/g, '+');
}

function event(...records: S3EventRecord[]): S3Event {
  return { Records: records };
}

function put(key: string, lines: Record<string, unknown>[], gzip = false): string {
  const text = `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`;
  return s3.put('ingestion-bucket', key, gzip ? gzipSync(text) : text).etag.replace(/"/g, '');
}

/** EMF metrics Powertools printed, one entry per metric value. */
function emf(): { name: string; table?: string; kind?: string; value: unknown }[] {
  return printed
    .flatMap((chunk) => chunk.split('\n'))
    .filter((l) => l.includes('"_aws"'))
    .flatMap((l) => {
      const doc = JSON.parse(l) as Record<string, unknown> & { _aws: { CloudWatchMetrics: { Metrics: { Name: string }[] }[] } };
      return doc._aws.CloudWatchMetrics[0]!.Metrics.map((m) => ({
        name: m.Name,
        table: doc.table as string | undefined,
        kind: doc.kind as string | undefined,
        value: doc[m.Name],
      }));
    });
}

async function loadHandler() {
  return (await import('../../lambdas/transform/handler')).handler;
}

describe('transform handler', () => {
  it('decodes the event key, transforms the object into the processed bucket and records the sequence', async () => {
    const key = 'landing zone/sales_order/0000000001_20241114T093012345.jsonl';
    const etag = put(key, [line('sales_order'), line('sales_order', { sales_order_id: 3 })]);
    const handler = await loadHandler();
    const result = await handler(event(record('landing+zone/sales_order/0000000001_20241114T093012345.jsonl', etag)), context);
    expect(result.objects).toEqual([expect.objectContaining({ sourceKey: key, outcome: 'processed', rowsIn: 2 })]);
    const manifest = JSON.parse(s3.text('processed-bucket', 'warehouse-ready/manifests/sales_order/0000000001.json')!);
    expect(manifest).toMatchObject({ sourceKey: key, sourceETag: etag, rowsIn: 2 });
    expect(s3.keys('processed-bucket', 'warehouse-ready/batches/sales_order/0000000001/')).toEqual([
      'warehouse-ready/batches/sales_order/0000000001/dim_date.parquet',
      'warehouse-ready/batches/sales_order/0000000001/fact_sales_order.parquet',
    ]);
    expect(ssm.parameters.get('/totesys/transform/sales_order/last-processed-sequence')).toBe('1');
    expect(s3.mock).toHaveReceivedCommandWith(GetObjectCommand, { Bucket: 'ingestion-bucket', Key: key });

    const metrics = emf();
    expect(metrics).toContainEqual({ name: 'RowsIn', table: 'sales_order', value: 2 });
    expect(metrics).toContainEqual({ name: 'RowsOut', table: 'fact_sales_order', value: 2 });
    expect(metrics).toContainEqual({ name: 'ObjectsProcessed', table: 'sales_order', value: 1 });
    const logs = printed.filter((l) => l.includes('"transform completed"')).map((l) => JSON.parse(l));
    expect(logs).toEqual([expect.objectContaining({ level: 'INFO', sourceKey: key, rowsIn: 2, function_request_id: 'req-1' })]);
  });

  it('reads a gzip body streamed in chunks', async () => {
    s3.chunkSize = 7;
    const key = `${P}currency/0000000001_20241114T093012345.jsonl.gz`;
    const etag = put(key, [line('currency'), line('currency', { currency_id: 3, currency_code: 'EUR' })], true);
    const handler = await loadHandler();
    const result = await handler(event(record(encoded(key), etag)), context);
    s3.chunkSize = 64 * 1024;
    expect(result.objects[0]).toMatchObject({ rowsIn: 2, rowsOut: { dim_currency: 2 } });
  });

  it('skips a re-delivered event without writing', async () => {
    const key = `${P}design/0000000001_20241114T093012345.jsonl`;
    const etag = put(key, [line('design')]);
    const handler = await loadHandler();
    await handler(event(record(encoded(key), etag)), context);
    const keysBefore = s3.publishedKeys('processed-bucket');
    s3.mock.resetHistory();
    const again = await handler(event(record(encoded(key), etag)), context);
    expect(again.objects[0]!.outcome).toBe('skipped');
    expect(s3.putKeys()).toEqual([]);
    expect(s3.publishedKeys('processed-bucket')).toEqual(keysBefore);
    expect(emf()).toContainEqual({ name: 'ObjectsSkippedAlreadyProcessed', table: 'design', value: 1 });
  });

  it('throws naming a key outside the ingestion format, after transforming the good records, and flushes metrics', async () => {
    const good = `${P}design/0000000001_20241114T093012345.jsonl`;
    const etag = put(good, [line('design')]);
    put(`${P}design/readme.txt`, [{}]);
    const handler = await loadHandler();
    await expect(handler(event(record(encoded(`${P}design/readme.txt`)), record(encoded(good), etag)), context)).rejects.toMatchObject({
      name: 'TransformFailedError',
      message: expect.stringMatching(/1 of 2 object\(s\): landing zone\/design\/readme\.txt: bad ingestion object key/),
    });
    expect(s3.text('processed-bucket', 'warehouse-ready/manifests/design/0000000001.json')).toBeDefined();
    expect(emf()).toContainEqual({ name: 'ObjectsFailed', table: undefined, value: 1 });
    expect(printed.some((l) => l.includes('"transform failed"') && l.includes('design/readme.txt'))).toBe(true);
  });

  it('throws on a bad object so Lambda retries it and then sends it to the DLQ', async () => {
    const key = `${P}staff/0000000002_20241114T093012345.jsonl`;
    const etag = s3.put('ingestion-bucket', key, 'this is not json\nneither is this\n').etag.replace(/"/g, '');
    const handler = await loadHandler();
    await expect(handler(event(record(encoded(key), etag)), context)).rejects.toThrow(/staff\/0000000002_20241114T093012345\.jsonl/);
    expect(s3.publishedKeys('processed-bucket')).toEqual([]);
    expect(ssm.parameters.size).toBe(0);
    // The failure's kind, as a metric: a bad object, not a setting or an outage.
    expect(emf()).toContainEqual({ name: 'InvocationsFailed', kind: 'bad-input', value: 1 });
    expect(emf()).toContainEqual({ name: 'InvocationsFailed', value: 1 });
  });

  it('an operator replay event (ops replay --stack) transforms a processed object again; the same S3 event is skipped', async () => {
    const key = 'landing zone/design/0000000001_20241114T093012345.jsonl';
    const etag = put(key, [line('design')]);
    const handler = await loadHandler();
    await handler(event(record(encodeURIComponent(key).replace(/%20/g, '+'), etag)), context);
    const manifestKey = 'warehouse-ready/manifests/design/0000000001.json';
    const first = JSON.parse(s3.text('processed-bucket', manifestKey)!);

    const replay = operatorReplayEvent({ bucket: 'ingestion-bucket', key, etag, size: 1 }, new Date(Date.UTC(2024, 10, 20)));
    const result = await handler(JSON.parse(JSON.stringify(replay)) as S3Event, context);
    expect(result.objects[0]).toMatchObject({ sourceKey: key, outcome: 'processed' });
    const rebuilt = JSON.parse(s3.text('processed-bucket', manifestKey)!);
    expect(rebuilt.transformedAt).not.toBe(first.transformedAt);
    expect(rebuilt.sourceETag).toBe(etag);
    expect(printed.some((l) => l.includes('operator replay: transforming again even if the batch is published'))).toBe(true);
    const lease = JSON.parse(s3.text('processed-bucket', 'warehouse-ready/state/locks/design.json')!);
    expect(lease).toMatchObject({ released: true, holder: expect.stringMatching(/^transform Lambda \(log stream .+\), .+ pid \d+/) });

    // Without the marker (as S3 sends it) the same event is a re-delivery.
    const { totesysReplay: _marker, ...plain } = replay;
    expect((await handler(plain, context)).objects[0]!.outcome).toBe('skipped');
    expect(isForcedReplay({ ...plain, totesysReplay: { force: 'yes' } })).toBe(false);
  });

  it('ignores records that are not object creations', async () => {
    const handler = await loadHandler();
    const result = await handler(
      event(record(encoded(`${P}design/0000000001_20241114T093012345.jsonl`), 'x', 'ObjectRemoved:Delete')),
      context,
    );
    expect(result.objects).toEqual([]);
    expect(s3.mock.calls()).toHaveLength(0);
  });
});

/** Total of a metric over everything printed (Powertools prints repeated values as an array). */
function metricTotal(name: string): number {
  return emf()
    .filter((m) => m.name === name)
    .flatMap((m) => (Array.isArray(m.value) ? m.value : [m.value]))
    .reduce<number>((sum, value) => sum + Number(value), 0);
}

/** Log lines Powertools printed with this message, parsed. */
function logged(message: string): Record<string, unknown>[] {
  return printed
    .flatMap((chunk) => chunk.split('\n'))
    .filter((l) => l.includes(`"${message}"`))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('which event records the transform reads', () => {
  const good = `${P}design/0000000001_20241114T093012345.jsonl`;

  it('only keys anchored at <prefix><table>/: others are logged and counted, never read, and the good record is processed', async () => {
    const etag = put(good, [line('design')]);
    // Same file names, in the wrong places: outside the prefix, and in a folder below it.
    put('other/design/0000000002_20241114T093012345.jsonl', [line('design', { design_id: 2 })]);
    put(`${P}tmp/design/0000000002_20241114T093012345.jsonl`, [line('design', { design_id: 2 })]);
    const handler = await loadHandler();
    const result = await handler(
      event(
        record('other/design/0000000002_20241114T093012345.jsonl', 'a'),
        record(encoded(`${P}tmp/design/0000000002_20241114T093012345.jsonl`), 'b'),
        record(encoded(good), etag),
      ),
      context,
    );
    expect(result.objects).toEqual([expect.objectContaining({ sourceKey: good, outcome: 'processed' })]);
    expect(s3.keys('processed-bucket', 'warehouse-ready/manifests/')).toEqual(['warehouse-ready/manifests/design/0000000001.json']);
    expect(s3.mock.commandCalls(GetObjectCommand).map((call) => call.args[0].input.Key)).not.toContainEqual(
      expect.stringMatching(/0000000002/),
    );
    expect(metricTotal('RecordsIgnored')).toBe(2);
    expect(logged('ignoring S3 event record').map((l) => l.key)).toEqual([
      'other/design/0000000002_20241114T093012345.jsonl',
      `${P}tmp/design/0000000002_20241114T093012345.jsonl`,
    ]);
  });

  it('only the configured ingestion bucket: a record naming another is logged and counted, not attempted', async () => {
    const etag = put(good, [line('design')]);
    s3.put('someone-elses-bucket', good, `${JSON.stringify(line('design', { design_id: 9 }))}\n`);
    const handler = await loadHandler();
    const result = await handler(
      event(record(encoded(good), 'x', 'ObjectCreated:Put', 'someone-elses-bucket'), record(encoded(good), etag)),
      context,
    );
    expect(result.objects).toHaveLength(1);
    expect(s3.mock.calls().some((call) => JSON.stringify(call.args[0].input).includes('someone-elses-bucket'))).toBe(false);
    expect(metricTotal('RecordsIgnored')).toBe(1);
    expect(logged('ignoring S3 event record')).toEqual([
      expect.objectContaining({ bucket: 'someone-elses-bucket', reason: 'not the ingestion bucket (ingestion-bucket)' }),
    ]);
  });

  it('a malformed URL-encoded key fails on its own: the valid record after it is processed, then the event fails naming it', async () => {
    const etag = put(good, [line('design')]);
    const handler = await loadHandler();
    const bad = 'landing+zone/design/%E0%A4%A';
    await expect(handler(event(record(bad, 'x'), record(encoded(good), etag)), context)).rejects.toMatchObject({
      name: 'TransformFailedError',
      message: `transform failed for 1 of 2 object(s): ${bad}: the event key is not valid URL encoding`,
    });
    expect(s3.text('processed-bucket', 'warehouse-ready/manifests/design/0000000001.json')).toBeDefined();
    expect(logged('S3 event record cannot be read')).toEqual([expect.objectContaining({ key: bad })]);
  });

  it('a record without s3 is logged and counted, and the others are processed', async () => {
    const etag = put(good, [line('design')]);
    const handler = await loadHandler();
    const result = await handler(event({ eventName: 'ObjectCreated:Put' } as S3EventRecord, record(encoded(good), etag)), context);
    expect(result.objects).toEqual([expect.objectContaining({ sourceKey: good, outcome: 'processed' })]);
    expect(metricTotal('RecordsIgnored')).toBe(1);
    expect(logged('ignoring S3 event record')).toEqual([expect.objectContaining({ record: 0, reason: 'the record names no S3 object' })]);
  });

  it.each([
    ['the console test event', { Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: 'ingestion-bucket' }, 's3:TestEvent'],
    ['an event with no records', { Records: [] }, undefined],
    ['an event that is not an S3 notification', { 'detail-type': 'Scheduled Event' }, 'Scheduled Event'],
  ])('%s succeeds, reading nothing, and is logged', async (_what, body, eventType) => {
    const handler = await loadHandler();
    const result = await handler(body as unknown as S3Event, context);
    expect(result.objects).toEqual([]);
    expect(s3.mock.calls()).toHaveLength(0);
    const [entry, ...more] = logged('event holds no S3 records; nothing to do');
    expect(more).toEqual([]);
    expect(entry).toMatchObject({ level: 'WARN' });
    expect(entry!.eventType).toEqual(eventType);
  });
});

describe('transform handler configuration', () => {
  it('fails clearly when an environment variable is missing', async () => {
    vi.resetModules();
    vi.stubEnv('PROCESSED_BUCKET', '');
    try {
      const { handler } = await import('../../lambdas/transform/handler');
      await expect(handler(event(), context)).rejects.toThrow(
        'Transform Lambda misconfigured: environment variable PROCESSED_BUCKET is not set',
      );
    } finally {
      vi.stubEnv('PROCESSED_BUCKET', ENV.PROCESSED_BUCKET);
      vi.resetModules();
    }
  });

  it('fails clearly without the ingestion bucket it may read', async () => {
    vi.resetModules();
    vi.stubEnv('INGESTION_BUCKET', '');
    try {
      const { handler } = await import('../../lambdas/transform/handler');
      await expect(handler(event(), context)).rejects.toThrow(
        'Transform Lambda misconfigured: environment variable INGESTION_BUCKET is not set',
      );
    } finally {
      vi.stubEnv('INGESTION_BUCKET', ENV.INGESTION_BUCKET);
      vi.resetModules();
    }
  });
});

describe('operator replay events', () => {
  it('encode keys the way S3 events do, so the handler decodes them back exactly', async () => {
    const { decodeS3EventKey } = await import('../../lambdas/adapters/aws/s3-event');
    for (const key of ['landing zone/a+b/sales_order/0000000001_20241114T093012345.jsonl', 'dépôt/100%/x.jsonl.gz']) {
      const encoded = operatorReplayEvent({ bucket: 'b', key }, new Date(0)).Records[0]!.s3.object.key;
      expect(encoded).not.toContain(' ');
      expect(decodeS3EventKey(encoded)).toBe(key);
    }
  });
});
