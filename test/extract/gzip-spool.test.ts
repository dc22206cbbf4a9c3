/** The ingest stage's gzip spool: what goes in comes out, whole and in order, however many chunks it takes. */
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { GzipSpool } from '../../lambdas/core/extract/gzip-spool';

async function bodyBytes(body: Awaited<ReturnType<GzipSpool['finish']>>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body.chunks()) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('GzipSpool', () => {
  it('keeps every line in order across many chunks handed to gzip, waiting when gzip is behind', async () => {
    // About 30 million characters: several of the spool's chunks, more than gzip's queue holds.
    const lines = 1_000_000;
    const spool = await GzipSpool.create(1);
    const expected = createHash('sha256');
    let waits = 0;
    try {
      for (let i = 0; i < lines; i++) {
        const line = `{"i":${i},"pad":"${'x'.repeat(i % 37)}"}`;
        expected.update(`${line}\n`);
        const flushing = spool.writeLine(line);
        if (flushing) {
          waits++;
          await flushing;
        }
      }
      const body = await spool.finish();
      const text = gunzipSync(await bodyBytes(body));
      expect(body.size).toBeGreaterThan(0);
      expect(createHash('sha256').update(text).digest('hex')).toBe(expected.digest('hex'));
      expect(text.toString('utf8').split('\n')).toHaveLength(lines + 1);
      // Only the lines that filled a chunk returned a promise: not one per line.
      expect(waits).toBeGreaterThan(1);
      expect(waits).toBeLessThan(100);
    } finally {
      await spool.dispose();
    }
  });

  it('gives back a single short line, and an empty body for no lines', async () => {
    for (const lines of [[], ['{"a":1}']]) {
      const spool = await GzipSpool.create(6);
      try {
        for (const line of lines) await spool.writeLine(line);
        const body = await spool.finish();
        expect(gunzipSync(await bodyBytes(body)).toString('utf8')).toBe(lines.map((line) => `${line}\n`).join(''));
      } finally {
        await spool.dispose();
      }
    }
  });
});
