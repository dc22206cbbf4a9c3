/**
 * One table of one run: find the committed position, read the rows that may have changed
 * since its cursor, emit those whose fingerprint changed into one gzip object, then
 * record fingerprints and, last, the new position. See docs/ARCHITECTURE.md "Ingestion".
 */
import { SOURCE_READ_AT_METADATA } from '../layout';
import type { Log, Metrics, ParameterStore } from '../ports';
import type { SourceTableDefinition } from '../schema/source-tables';
import type { ExtractLayout } from './extract-layout';
import { FingerprintCollector, Fingerprints, mergeFingerprints } from './fingerprints';
import { GzipSpool } from './gzip-spool';
import type { ExtractStore, SourceSession } from './ports';
import { rowEncoder, watermarkOf } from './row-encoder';
import { rowHash } from './row-hash';
import { type ExtractCursor, type ExtractMode, extractMode, formatCursor } from './snapshot-cursor';
import { CURSOR_METADATA, ROWS_METADATA, SEQUENCE_METADATA, type CommittedState, committedState, formatState } from './table-state';
import { PipelineError } from '../errors';

export interface ExtractTableDeps {
  readonly ingestion: ExtractStore;
  /** Where fingerprints and the lease live (the processed bucket). */
  readonly state: ExtractStore;
  readonly parameters: ParameterStore;
  readonly layout: ExtractLayout;
  readonly log: Log;
  readonly metrics: Metrics;
  readonly gzipLevel: number;
  readonly spoolDirectory?: string;
}

export interface TableResult {
  readonly table: string;
  readonly outcome: 'written' | 'unchanged';
  readonly mode: ExtractMode;
  /** Rows read from the source (possibly changed). */
  readonly rowsRead: number;
  /** Rows written to the object (changed or new). */
  readonly rows: number;
  readonly sequence: number;
  readonly key?: string;
  readonly watermark?: string;
  readonly adoptedKey?: string;
  /** Seconds between the previous cursor and this run's snapshot. */
  readonly cursorLagSeconds?: number;
  readonly durationMs: number;
}

class SequenceTakenError extends PipelineError {
  readonly kind = 'conflict';
  constructor(key: string) {
    super(`ingestion object ${key}: its sequence was written by another run meanwhile; the next run adopts it`);
    this.name = 'SequenceTakenError';
  }
}

async function loadFingerprints(deps: ExtractTableDeps, table: SourceTableDefinition, committed: CommittedState): Promise<Fingerprints> {
  const key = deps.layout.fingerprints(table.name);
  const stored = await deps.state.read(key);
  if (!stored) return Fingerprints.empty;
  const sequence = Number(stored.metadata[SEQUENCE_METADATA]);
  // Fingerprints of any other sequence may describe rows no object holds (or miss rows
  // an object holds): using them could suppress a real change. Without them, re-read
  // rows are emitted again, which the transform treats as unchanged versions.
  if (sequence !== committed.sequence) {
    deps.log.warn('fingerprints are not those of the committed sequence: re-read rows are emitted again', {
      table: table.name,
      fingerprintSequence: Number.isNaN(sequence) ? null : sequence,
      committedSequence: committed.sequence,
    });
    return Fingerprints.empty;
  }
  return Fingerprints.decode(stored.body, key);
}

async function saveFingerprints(
  deps: ExtractTableDeps,
  table: SourceTableDefinition,
  sequence: number,
  fingerprints: Fingerprints,
): Promise<void> {
  await deps.state.write(deps.layout.fingerprints(table.name), fingerprints.encode(), {
    contentType: 'application/octet-stream',
    metadata: { [SEQUENCE_METADATA]: String(sequence) },
  });
}

export async function extractTable(
  deps: ExtractTableDeps,
  session: SourceSession,
  table: SourceTableDefinition,
  cursor: ExtractCursor,
  options: { resync?: boolean } = {},
): Promise<TableResult> {
  const started = Date.now();
  const committed = await committedState(deps, table.name);
  const mode: ExtractMode = options.resync ? 'resync' : extractMode(committed.cursor, cursor);
  if (mode === 'resync' && !options.resync) {
    deps.log.warn('the cursor is ahead of the source database (restored or replaced?): full resync', {
      table: table.name,
      cursor: committed.cursor ? formatCursor(committed.cursor) : null,
      snapshotXmax: cursor.xmax.toString(),
    });
  }
  const previous = await loadFingerprints(deps, table, committed);
  const encode = rowEncoder(table);
  const changes = new FingerprintCollector();
  const seen = mode === 'incremental' ? undefined : new FingerprintCollector();
  const spool = await GzipSpool.create(deps.gzipLevel, deps.spoolDirectory);
  try {
    let rowsRead = 0;
    let newest = '';
    const since = mode === 'incremental' ? committed.cursor!.xmin : undefined;
    for await (const batch of session.readRows(table, since)) {
      for (const row of batch) {
        const { line, id, lastUpdated } = encode(row);
        const hash = rowHash(line);
        rowsRead++;
        seen?.add(id, hash);
        if (previous.get(id) === hash) continue;
        changes.add(id, hash);
        if (lastUpdated > newest) newest = lastUpdated;
        const flushing = spool.writeLine(line);
        if (flushing) await flushing;
      }
    }
    const cursorLagSeconds = committed.cursor
      ? Math.max(0, (Date.parse(cursor.takenAt) - Date.parse(committed.cursor.takenAt)) / 1000)
      : undefined;
    // A full read knows every live row: its fingerprints drop deleted ids.
    const next = seen ? seen.sorted() : mergeFingerprints(previous, changes.sorted());
    const base = {
      table: table.name,
      mode,
      rowsRead,
      ...(committed.adoptedKey ? { adoptedKey: committed.adoptedKey } : {}),
      ...(cursorLagSeconds !== undefined ? { cursorLagSeconds } : {}),
    };

    if (changes.size === 0) {
      if (seen) await saveFingerprints(deps, table, committed.sequence, next);
      await deps.parameters.put(deps.layout.parameter(table.name), formatState({ sequence: committed.sequence, cursor }));
      return { ...base, outcome: 'unchanged', rows: 0, sequence: committed.sequence, durationMs: Date.now() - started };
    }

    const body = await spool.finish();
    const sequence = committed.sequence + 1;
    const watermark = watermarkOf(newest);
    const key = deps.layout.objectKey(table.name, sequence, watermark);
    // The key carries the watermark, so "create if absent" alone cannot stop a second
    // key for the same sequence: look for any key of this sequence first.
    for await (const existing of deps.ingestion.list(deps.layout.sequencePrefix(table.name, sequence))) {
      throw new SequenceTakenError(existing.key);
    }
    const created = await deps.ingestion.createFrom(key, body, {
      contentType: 'application/x-ndjson',
      // source-read-at: when this run read the source, for the loader's freshness lag.
      metadata: {
        [CURSOR_METADATA]: formatCursor(cursor),
        [ROWS_METADATA]: String(changes.size),
        [SOURCE_READ_AT_METADATA]: cursor.takenAt,
      },
    });
    if (!created) throw new SequenceTakenError(key);
    // Fingerprints after the object (they must never run ahead of what objects hold),
    // the position last: a crash in between is repaired by adoption next run.
    await saveFingerprints(deps, table, sequence, next);
    await deps.parameters.put(deps.layout.parameter(table.name), formatState({ sequence, cursor }));
    return { ...base, outcome: 'written', rows: changes.size, sequence, key, watermark, durationMs: Date.now() - started };
  } finally {
    await spool.dispose();
  }
}
