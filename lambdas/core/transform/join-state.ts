/**
 * The transform's join state: for each of department, staff, address and counterparty,
 * every id's latest row and version, kept in `state/<table>.json` in the processed bucket
 * (objects arrive one table at a time, so a join needs the partner's last known rows).
 *
 * State only moves forward: a row replaces the held one when its version is greater *or
 * equal*. Equal matters: if the transform crashed after writing state but before the
 * manifest, re-processing the same object must produce the same batch again.
 *
 * Format 1 files (written before versions put the ingestion sequence first) are read with
 * every version upgraded (`upgradeVersion`) and saved as format 2: read as they were, their
 * `<last_updated>.<sequence>` versions would sort above every new one and freeze each row.
 */
import type { SourceRow } from '../objects/types';
import type { ProcessedLayout } from '../layout';
import type { ObjectStore } from '../ports';
import type { CellValue } from '../schema/column-types';
import { SOURCE_TABLES, type SourceTableName } from '../schema/source-tables';
import { upgradeVersion } from './versions';
import { PipelineError } from '../errors';

export interface StateEntry {
  readonly version: string;
  readonly row: SourceRow;
}

const FORMAT_VERSION = 2;
/** Versions `<last_updated>.<sequence>`, upgraded when read. */
const LEGACY_FORMAT_VERSION = 1;

interface StateFile {
  readonly formatVersion: typeof FORMAT_VERSION | typeof LEGACY_FORMAT_VERSION;
  readonly table: SourceTableName;
  /** Sorted by id, so identical state is an identical file. */
  readonly rows: readonly { readonly version: string; readonly row: Record<string, unknown> }[];
}

export class TableState {
  private readonly entries = new Map<number, StateEntry>();
  private dirty = false;

  constructor(readonly table: SourceTableName) {}

  get size(): number {
    return this.entries.size;
  }

  get changed(): boolean {
    return this.dirty;
  }

  get(id: number): StateEntry | undefined {
    return this.entries.get(id);
  }

  entriesById(): IterableIterator<[number, StateEntry]> {
    return this.entries.entries();
  }

  /** Takes the row when it is at least as new as the held one; says whether it did. */
  offer(id: number, version: string, row: SourceRow): boolean {
    const held = this.entries.get(id);
    if (held && held.version > version) return false;
    this.entries.set(id, { version, row });
    this.dirty = true;
    return true;
  }

  /** Loaded rows, not a change. */
  restore(id: number, entry: StateEntry): void {
    this.entries.set(id, entry);
  }
}

export class StateFileError extends PipelineError {
  readonly kind = 'bad-input';
  constructor(key: string, reason: string) {
    super(`join state object "${key}" is unreadable: ${reason}`);
    this.name = 'StateFileError';
  }
}

/** Reads and writes join state through an ObjectStore. */
export class JoinStateStore {
  constructor(
    private readonly store: ObjectStore,
    private readonly layout: ProcessedLayout,
  ) {}

  async load(table: SourceTableName): Promise<TableState> {
    const key = this.layout.state(table);
    const state = new TableState(table);
    const bytes = await this.store.getBytes(key);
    if (bytes === undefined) return state;
    let file: StateFile;
    try {
      file = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as StateFile;
    } catch (error) {
      throw new StateFileError(key, (error as Error).message);
    }
    // Never start over from empty state silently: that would re-emit history as new.
    const known = file?.formatVersion === FORMAT_VERSION || file?.formatVersion === LEGACY_FORMAT_VERSION;
    if (!known || file.table !== table || !Array.isArray(file.rows)) {
      throw new StateFileError(key, `expected format ${FORMAT_VERSION} (or ${LEGACY_FORMAT_VERSION}) state of table ${table}`);
    }
    const primaryKey = SOURCE_TABLES[table].primaryKey;
    for (const entry of file.rows) {
      const row = decodeRow(table, entry.row);
      const id = row[primaryKey] as number;
      state.restore(id, { version: readVersion(key, file.formatVersion, id, entry.version), row });
    }
    return state;
  }

  async save(state: TableState): Promise<void> {
    const rows = [...state.entriesById()]
      .sort(([a], [b]) => a - b)
      .map(([, entry]) => ({ version: entry.version, row: encodeRow(state.table, entry.row) }));
    const file: StateFile = { formatVersion: FORMAT_VERSION, table: state.table, rows };
    await this.store.put(this.layout.state(state.table), JSON.stringify(file), { contentType: 'application/json' });
  }
}

/** A stored version in the current format: upgraded from format 1, checked in either. */
function readVersion(key: string, format: number, id: number, stored: unknown): string {
  const version = typeof stored === 'string' ? upgradeVersion(stored) : undefined;
  if (version === undefined || (format === FORMAT_VERSION && version !== stored)) {
    throw new StateFileError(key, `id ${id} has version ${JSON.stringify(stored)}, not a format ${format} version`);
  }
  return version;
}

// Decimals (unscaled bigints) are stored as decimal strings; every other CellValue is JSON.
function encodeRow(table: SourceTableName, row: SourceRow): Record<string, unknown> {
  const encoded: Record<string, unknown> = {};
  for (const column of SOURCE_TABLES[table].columns) {
    const value = row[column.name] ?? null;
    encoded[column.name] = typeof value === 'bigint' ? value.toString() : value;
  }
  return encoded;
}

function decodeRow(table: SourceTableName, encoded: Record<string, unknown>): SourceRow {
  const row: Record<string, CellValue> = {};
  for (const column of SOURCE_TABLES[table].columns) {
    const value = encoded[column.name] ?? null;
    row[column.name] = column.type.kind === 'decimal' && value !== null ? BigInt(value as string) : (value as CellValue);
  }
  return row;
}
