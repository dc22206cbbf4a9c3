/**
 * A loopback HTTP stand-in for the three AWS services the Lambdas call (S3 path-style,
 * Secrets Manager, SSM), for code that carries its own SDK and so cannot be reached by
 * aws-sdk-client-mock: the bundled handlers, pointed here by AWS_ENDPOINT_URL_*. It
 * speaks just enough of each protocol for the calls the handlers make, from in-memory
 * state the test sets up and reads back.
 */
import { createHash } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export class AwsHttpStub {
  /** bucket → key → body */
  readonly buckets = new Map<string, Map<string, Buffer>>();
  readonly parameters = new Map<string, string>();
  readonly secrets = new Map<string, string>();
  /** Every request, `METHOD path` or the JSON target: what the bundles asked for. */
  readonly calls: string[] = [];
  private server: Server | undefined;

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        response.writeHead(500, { 'content-type': 'text/plain' });
        response.end(String(error));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  put(bucket: string, key: string, body: string | Uint8Array): void {
    if (!this.buckets.has(bucket)) this.buckets.set(bucket, new Map());
    this.buckets.get(bucket)!.set(key, Buffer.from(body));
  }

  keys(bucket: string): string[] {
    return [...(this.buckets.get(bucket)?.keys() ?? [])].sort();
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const target = request.headers['x-amz-target'];
    if (typeof target === 'string') {
      this.calls.push(target);
      return this.json(target, JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>, response);
    }
    const url = new URL(request.url ?? '/', 'http://stub');
    this.calls.push(`${request.method} ${url.pathname}${url.searchParams.has('list-type') ? '?list' : ''}`);
    return this.s3(request.method ?? 'GET', url, body, response);
  }

  private json(target: string, input: Record<string, unknown>, response: ServerResponse): void {
    const reply = (status: number, value: unknown) => {
      response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify(value));
    };
    switch (target) {
      case 'secretsmanager.GetSecretValue': {
        const secret = this.secrets.get(input.SecretId as string);
        if (secret === undefined)
          return reply(400, { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." });
        return reply(200, { ARN: input.SecretId, Name: 'warehouse', SecretString: secret, VersionId: 'v1' });
      }
      case 'AmazonSSM.GetParameter': {
        const value = this.parameters.get(input.Name as string);
        if (value === undefined) return reply(400, { __type: 'ParameterNotFound', message: `Parameter ${String(input.Name)} not found.` });
        return reply(200, { Parameter: { Name: input.Name, Type: 'String', Value: value, Version: 1 } });
      }
      case 'AmazonSSM.PutParameter':
        this.parameters.set(input.Name as string, input.Value as string);
        return reply(200, { Version: 1, Tier: 'Standard' });
      default:
        return reply(400, { __type: 'UnknownOperationException', message: target });
    }
  }

  private s3(method: string, url: URL, body: Buffer, response: ServerResponse): void {
    const [, bucketName = '', ...rest] = url.pathname.split('/');
    const key = decodeURIComponent(rest.join('/'));
    const bucket = this.buckets.get(bucketName) ?? new Map<string, Buffer>();
    this.buckets.set(bucketName, bucket);
    const etag = (bytes: Buffer) => `"${createHash('md5').update(bytes).digest('hex')}"`;
    if (method === 'GET' && key === '' && url.searchParams.get('list-type') === '2') {
      const prefix = url.searchParams.get('prefix') ?? '';
      const after = url.searchParams.get('start-after') ?? '';
      const contents = [...bucket.entries()]
        .filter(([k]) => k.startsWith(prefix) && k > after)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(
          ([k, v]) =>
            `<Contents><Key>${escapeXml(k)}</Key><Size>${v.length}</Size><ETag>${etag(v)}</ETag><StorageClass>STANDARD</StorageClass></Contents>`,
        );
      response.writeHead(200, { 'content-type': 'application/xml' });
      response.end(
        `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${bucketName}</Name><Prefix>${escapeXml(prefix)}</Prefix><KeyCount>${contents.length}</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>${contents.join('')}</ListBucketResult>`,
      );
      return;
    }
    if (method === 'PUT') {
      bucket.set(key, body);
      response.writeHead(200, { etag: etag(body) });
      response.end();
      return;
    }
    const object = bucket.get(key);
    if (!object) {
      response.writeHead(404, { 'content-type': 'application/xml' });
      response.end(
        method === 'HEAD'
          ? undefined
          : `<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>${escapeXml(key)}</Key></Error>`,
      );
      return;
    }
    response.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': object.length,
      etag: etag(object),
      'last-modified': new Date().toUTCString(),
    });
    response.end(method === 'HEAD' ? undefined : object);
  }
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
