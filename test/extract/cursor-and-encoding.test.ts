import { describe, expect, it } from 'vitest';
import { naiveTimestamp, rowEncoder, SourceValueError, watermarkOf } from '../../lambdas/core/extract/row-encoder';
import { CursorFormatError, extractMode, formatCursor, parseCursor, parsePgSnapshot } from '../../lambdas/core/extract/snapshot-cursor';
import { formatState, parseState, StateFormatError } from '../../lambdas/core/extract/table-state';
import { SOURCE_TABLES } from '../../lambdas/core/schema/source-tables';
import { parseCopyLine } from '../../lambdas/adapters/pg/copy-text';

const fail = (reason: string): never => {
  throw new Error(reason);
};

describe('snapshot cursor', () => {
  it('reads pg_current_snapshot() with 64-bit xids and counts in-progress transactions', () => {
    expect(parsePgSnapshot('21474836480:21474836490:21474836481,21474836485')).toEqual({
      xmin: 21474836480n,
      xmax: 21474836490n,
      inProgress: 2,
    });
    expect(parsePgSnapshot('750:750:')).toEqual({ xmin: 750n, xmax: 750n, inProgress: 0 });
    expect(() => parsePgSnapshot('750')).toThrow(CursorFormatError);
  });

  it('round-trips a cursor and rejects a damaged one, naming where it came from', () => {
    const cursor = { xmin: 5n * 2n ** 32n + 7n, xmax: 5n * 2n ** 32n + 9n, inProgress: 1, takenAt: '2024-01-01T00:00:00.000Z' };
    expect(parseCursor(formatCursor(cursor), 'x')).toEqual(cursor);
    expect(() => parseCursor('{"xmin":"9","xmax":"8","takenAt":"2024-01-01T00:00:00Z"}', '/p/t')).toThrow(/\/p\/t: .*xmin is after xmax/);
    expect(() => parseCursor('{"xmin":1}', '/p/t')).toThrow(CursorFormatError);
  });

  it('reads every row without a cursor, incrementally after one, and resyncs when the cursor is ahead', () => {
    const cursor = { xmin: 100n, xmax: 110n, inProgress: 0, takenAt: '2024-01-01T00:00:00Z' };
    expect(extractMode(undefined, { xmin: 1n, xmax: 2n, inProgress: 0 })).toBe('full');
    expect(extractMode(cursor, { xmin: 105n, xmax: 120n, inProgress: 0 })).toBe('incremental');
    expect(extractMode(cursor, { xmin: 90n, xmax: 95n, inProgress: 0 })).toBe('resync');
  });

  it('keeps table state as JSON and names a bad parameter', () => {
    const state = { sequence: 42, cursor: { xmin: 1n, xmax: 2n, inProgress: 0, takenAt: '2024-01-01T00:00:00.000Z' } };
    expect(parseState(formatState(state), 'n')).toEqual(state);
    expect(() => parseState('{"sequence":-1}', '/totesys/ingest/staff')).toThrow(StateFormatError);
    expect(() => parseState('nope', '/totesys/ingest/staff')).toThrow(/\/totesys\/ingest\/staff: is not JSON/);
  });
});

describe('value encoding', () => {
  it('pads naive timestamps to milliseconds and refuses anything finer or stranger', () => {
    expect(naiveTimestamp('2022-11-03 14:20:49', fail)).toBe('2022-11-03 14:20:49.000');
    expect(naiveTimestamp('2022-11-03 14:20:49.5', fail)).toBe('2022-11-03 14:20:49.500');
    expect(naiveTimestamp('2022-11-03 14:20:49.123000', fail)).toBe('2022-11-03 14:20:49.123');
    expect(() => naiveTimestamp('2022-11-03 14:20:49.1234', fail)).toThrow(/more than millisecond/);
    expect(() => naiveTimestamp('2022-11-03T14:20:49+01', fail)).toThrow(/not a timestamp/);
    expect(watermarkOf('2022-11-03 14:20:49.562')).toBe('20221103T142049562');
  });

  it('encodes a row with exactly the table columns, escaping text as JSON', () => {
    const encode = rowEncoder(SOURCE_TABLES.department);
    const { line, id, lastUpdated } = encode(['4', 'Dept "A"\n\t\\', null, 'Zoë', '2022-11-03 14:20:49.962', '2022-11-03 14:20:49']);
    expect(JSON.parse(line)).toEqual({
      department_id: 4,
      department_name: 'Dept "A"\n\t\\',
      location: null,
      manager: 'Zoë',
      created_at: '2022-11-03 14:20:49.962',
      last_updated: '2022-11-03 14:20:49.000',
    });
    expect(Object.keys(JSON.parse(line))).toEqual(SOURCE_TABLES.department.columns.map((c) => c.name));
    expect([id, lastUpdated]).toEqual([4, '2022-11-03 14:20:49.000']);
  });

  it('names table, row and column of a value that does not fit its column', () => {
    const encode = rowEncoder(SOURCE_TABLES.payment);
    const row = ['9', '2', '15', '10.5', '2', '3', 'maybe', '2022-11-04', '1', '2', '2022-11-03 14:20:52', '2022-11-03 14:20:52'];
    expect(() => encode(row)).toThrow(SourceValueError);
    expect(() => encode(row)).toThrow(/payment, row 9, column paid: not a boolean/);
    expect(() => encode(['9', null, ...row.slice(2)])).toThrow(/column transaction_id: null in a NOT NULL column/);
    expect(() => encode(row.slice(1))).toThrow(/expected 12 columns, got 11/);
  });
});

describe('COPY text decoding', () => {
  it('splits on tabs, reads \\N as null and undoes backslash escapes', () => {
    expect(parseCopyLine('1\t\\N\ta\\tb\\nc\\\\d\t\\x41\\101')).toEqual(['1', null, 'a\tb\nc\\d', 'AA']);
  });
});
