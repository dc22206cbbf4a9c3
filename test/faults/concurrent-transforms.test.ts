/**
 * Two transforms at once, in two processes on one local state folder (as `ops replay
 * --local` beside `npm start`): the real transform in child processes, each pausing where
 * a race would need it to (after reading join state, after reading the sequence). Without
 * the transform lock each case below loses an update; with it, the result is what one
 * transform after the other gives.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeEach, describe, expect, it } from 'vitest';
import { ProcessedLayout, ingestionKey } from '../../lambdas/core/layout';
import { noMetrics, silentLog } from '../../lambdas/core/ports';
import type { SourceTableName } from '../../lambdas/core/schema/source-tables';
import { transformObject } from '../../lambdas/core/transform/transform-object';
import { FileObjectStore } from '../../lambdas/adapters/file/file-object-store';
import { FileParameterStore } from '../../lambdas/adapters/file/file-parameter-store';
import { type Row, parquetRows } from '../support/parquet-rows';
import { line } from '../support/source-rows';
import type { TransformProcessOptions } from './support/transform-process';

const run = promisify(execFile);
const CHILD = resolve(__dirname, 'support/transform-process.ts');
const TSX = resolve(__dirname, '../../node_modules/tsx/dist/loader.mjs');
const layout = new ProcessedLayout();
const PARAMETER_PATH = '/totesys/local/transform';

let root: string;
let ingestion: FileObjectStore;
let processed: FileObjectStore;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'concurrent-transforms-'));
  ingestion = new FileObjectStore(join(root, 'ingestion'));
  processed = new FileObjectStore(join(root, 'processed'));
});

async function land(table: SourceTableName, sequence: number, rows: Record<string, unknown>[], watermark: string): Promise<string> {
  const key = ingestionKey(table, sequence, watermark);
  await ingestion.put(key, `${rows.map((row) => JSON.stringify(row)).join('\n')}\n`);
  return key;
}

/** One transform in this process (setting the scene). */
async function transformHere(key: string): Promise<void> {
  await transformObject(
    {
      ingestion,
      processed,
      layout,
      parameters: new FileParameterStore(join(root, 'parameters.json')),
      sequenceParameterPath: PARAMETER_PATH,
      log: silentLog,
      metrics: noMetrics,
    },
    { key },
  );
}

type ChildOptions = Omit<TransformProcessOptions, 'root' | 'barrier' | 'parameterPath'>;

/** Runs each in its own process, started together; resolves every process's report lines. */
async function inTwoProcesses(...children: ChildOptions[]): Promise<Record<string, unknown>[]> {
  const barrier = { dir: join(root, `barrier-${Math.random().toString(36).slice(2)}`), holders: children.map((c) => c.holder) };
  await mkdir(barrier.dir);
  const outputs = await Promise.all(
    children.map((child) =>
      run(process.execPath, ['--import', TSX, CHILD, JSON.stringify({ ...child, root, barrier, parameterPath: PARAMETER_PATH })], {
        timeout: 60_000,
      }),
    ),
  );
  return outputs.flatMap(({ stdout }) =>
    stdout
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>),
  );
}

/** Every dim_staff row any batch holds, and per staff id the one the loader keeps (newest source_version). */
async function warehouseStaff(): Promise<Map<number, Row>> {
  const newest = new Map<number, Row>();
  for await (const { key } of processed.list('batches/')) {
    if (!key.endsWith('/dim_staff.parquet')) continue;
    for (const row of await parquetRows((await processed.getBytes(key))!)) {
      const held = newest.get(row.staff_id as number);
      if (!held || (row.source_version as string) > (held.source_version as string)) newest.set(row.staff_id as number, row);
    }
  }
  return newest;
}

const T1 = '2024-01-01T10:00:00.000';
const T2 = '2024-02-01T10:00:00.000';

describe('two transforms in two processes at once', () => {
  it('a department rename and a new staff member of that department: neither update is lost', async () => {
    await transformHere(
      await land(
        'department',
        1,
        [line('department', { department_id: 1, department_name: 'Sales', last_updated: T1 })],
        '20240101T100000000',
      ),
    );
    await transformHere(await land('staff', 1, [line('staff', { staff_id: 1, department_id: 1, last_updated: T1 })], '20240101T100000000'));
    const rename = await land(
      'department',
      2,
      [line('department', { department_id: 1, department_name: 'Marketing', last_updated: T2 })],
      '20240201T100000000',
    );
    const joiner = await land(
      'staff',
      2,
      [line('staff', { staff_id: 2, first_name: 'Ann', department_id: 1, last_updated: T2 })],
      '20240201T100000000',
    );

    const reports = await inTwoProcesses(
      { holder: 'renamer', keys: [rename], stateReadDelayMs: 1_500 },
      { holder: 'joiner', keys: [joiner], stateReadDelayMs: 1_500 },
    );
    expect(reports).toEqual(
      expect.arrayContaining([
        { key: rename, outcome: 'processed' },
        { key: joiner, outcome: 'processed' },
      ]),
    );
    const staff = await warehouseStaff();
    expect([...staff.values()].map((row) => [row.staff_id, row.department_name]).sort()).toEqual([
      [1, 'Marketing'],
      [2, 'Marketing'],
    ]);
  }, 90_000);

  it('two staff members whose department is not known yet: both wait, and both join when it arrives', async () => {
    const first = await land('staff', 1, [line('staff', { staff_id: 3, department_id: 9, last_updated: T1 })], '20240101T100000000');
    const second = await land('staff', 2, [line('staff', { staff_id: 4, department_id: 9, last_updated: T1 })], '20240101T100000000');
    await inTwoProcesses(
      { holder: 'first', keys: [first], stateReadDelayMs: 1_500 },
      { holder: 'second', keys: [second], stateReadDelayMs: 1_500 },
    );
    expect(await warehouseStaff()).toEqual(new Map());

    await transformHere(
      await land(
        'department',
        1,
        [line('department', { department_id: 9, department_name: 'Research', last_updated: T1 })],
        '20240101T100000000',
      ),
    );
    const staff = await warehouseStaff();
    expect([...staff.values()].map((row) => [row.staff_id, row.department_name]).sort()).toEqual([
      [3, 'Research'],
      [4, 'Research'],
    ]);
  }, 90_000);

  it('the last processed sequence never goes back when two processes record it at once', async () => {
    const order = (sequence: number) =>
      land('sales_order', sequence, [line('sales_order', { sales_order_id: sequence })], '20240101T100000000');
    await transformHere(await order(5));
    const [six, seven] = [await order(6), await order(7)];
    await inTwoProcesses(
      // The slower one read the sequence (5) before the faster one recorded 7.
      { holder: 'slow', keys: [six], parameterReadDelayMs: 1_500 },
      { holder: 'fast', keys: [seven] },
    );
    const parameters = JSON.parse(await readFile(join(root, 'parameters.json'), 'utf8')) as Record<string, string>;
    expect(parameters[`${PARAMETER_PATH}/sales_order/last-processed-sequence`]).toBe('7');
  }, 90_000);
});
