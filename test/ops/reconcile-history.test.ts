/**
 * reconcile's fact-history check: each id's warehouse rows, in source_sequence order,
 * against the history its loaded ingestion objects make (CONTRACT.md §5). A row that went
 * A → B → A is three rows and no difference; the same id with its last A lost (what the
 * old `UNIQUE (id, version_hash)` rule did) or with a version at the wrong sequence is a
 * difference naming the id, though every version is still present.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../ops/cli';
import { type Reconciliation, reconcile } from '../../ops/reconcile/reconcile';
import { type LocalState, buildLocalState, captureIo, deleteObject, keyOf, putObject } from './support/local-state';

let state: LocalState | undefined;
afterEach(async () => {
  await state?.dispose();
  state = undefined;
});

const sales = (result: Reconciliation) => result.facts.find((f) => f.table === 'fact_sales_order')!;
let orderId = 0;
let orderUnits = 0;

/** A local state in which one sales order goes A → B → A through sequences 4 and 5. */
async function stateWithReturn(): Promise<LocalState> {
  return buildLocalState(async (ingestion) => {
    const bytes = await ingestion.getBytes(await keyOf(ingestion, 'sales_order', 3));
    const row = JSON.parse(new TextDecoder().decode(bytes!).split('\n')[0]!) as Record<string, unknown>;
    orderId = row.sales_order_id as number;
    await putObject(ingestion, 'sales_order', 4, [{ ...row, units_sold: (row.units_sold as number) + 1 }]);
    await putObject(ingestion, 'sales_order', 5, [row]);
  });
}

async function historyOf(id: number): Promise<string> {
  const rows = await state!.query<{ entry: string }>(
    `SELECT source_sequence || ':' || left(version_hash, 8) AS entry FROM fact_sales_order WHERE sales_order_id = $1 ORDER BY source_sequence`,
    [id],
  );
  return rows.map((r) => r.entry).join(' ');
}

describe('reconcile checks fact history', () => {
  it('finds no difference for a row that went A → B → A: three rows, two versions', async () => {
    state = await stateWithReturn();
    const result = await reconcile(state.target);
    expect(result.differences).toEqual([]);
    expect(
      (await historyOf(orderId))
        .split(' ')
        .slice(-2)
        .map((e) => e.split(':')[0]),
    ).toEqual(['4', '5']);
    expect(sales(result).warehouse.rows).toBe(sales(result).loaded.versions + 1);
    expect(sales(result).historyNotChecked).toBeUndefined();
  });

  it('reports an id whose return to an earlier version is missing, though every version is present', async () => {
    state = await stateWithReturn();
    const expected = await historyOf(orderId);
    await state.query('DELETE FROM fact_sales_order WHERE sales_order_id = $1 AND source_sequence = 5', [orderId]);
    const actual = await historyOf(orderId);
    const result = await reconcile(state.target);
    const problem = `history differs from the source's sequence of changes (warehouse vs source, as sequence:version_hash): sales_order_id ${orderId}: ${actual} vs ${expected}`;
    expect(result.differences).toEqual([{ table: 'fact_sales_order', where: '1 row', problem }]);
    const io = captureIo();
    expect(await runCli(['reconcile', ...state.cliTarget], io.io)).toBe(1);
    expect(io.stdout.join('')).toContain(`  - fact_sales_order 1 row: ${problem}\n`);
  });

  it('reports a version at the wrong sequence', async () => {
    state = await stateWithReturn();
    const expected = await historyOf(orderId);
    await state.query('UPDATE fact_sales_order SET source_sequence = 2 WHERE sales_order_id = $1 AND source_sequence = 4', [orderId]);
    const actual = await historyOf(orderId);
    expect(actual).not.toBe(expected);
    const result = await reconcile(state.target);
    expect(result.differences.map((d) => d.problem)).toEqual([
      `history differs from the source's sequence of changes (warehouse vs source, as sequence:version_hash): sales_order_id ${orderId}: ${actual} vs ${expected}`,
    ]);
  });

  it('says when it cannot compare: the object of a loaded batch is gone', async () => {
    state = await stateWithReturn();
    await deleteObject(state.ingestion, await keyOf(state.ingestion, 'sales_order', 4));
    const result = await reconcile(state.target);
    expect(sales(result).historyNotChecked).toBe('not compared: no readable ingestion object for loaded batch sales_order/0000000004');
    const io = captureIo();
    await runCli(['reconcile', ...state.cliTarget], io.io);
    expect(io.stdout.join('')).toContain(
      'fact_sales_order history not compared: no readable ingestion object for loaded batch sales_order/0000000004.',
    );
  });
});

describe('reconcile counts an id repeated in one object as one state, as the loader does', () => {
  /** A local state whose sequence-4 sales_order object holds one order on two lines. */
  async function stateWithRepeatedId(lines: (row: Record<string, unknown>) => Record<string, unknown>[]): Promise<LocalState> {
    return buildLocalState(async (ingestion) => {
      const bytes = await ingestion.getBytes(await keyOf(ingestion, 'sales_order', 3));
      const row = JSON.parse(new TextDecoder().decode(bytes!).split('\n')[0]!) as Record<string, unknown>;
      orderId = row.sales_order_id as number;
      orderUnits = row.units_sold as number;
      await putObject(ingestion, 'sales_order', 4, lines(row));
    });
  }
  const units = (row: Record<string, unknown>, more: number) => ({ ...row, units_sold: (row.units_sold as number) + more });

  it('the later line on a tie of last_updated: no difference, one version counted', async () => {
    state = await stateWithRepeatedId((row) => [units(row, 1), units(row, 2)]);
    const result = await reconcile(state.target);
    expect(result.differences).toEqual([]);
    expect(sales(result).loaded.versions).toBe(sales(result).sourceObjects.versions);
    expect(sales(result).parquet.versions).toBe(sales(result).sourceObjects.versions);
    expect(sales(result).parquet.rows).toBe(sales(result).sourceObjects.rowsIn);
    const [kept] = await state.query<{ units_sold: number }>(
      'SELECT units_sold FROM fact_sales_order WHERE sales_order_id = $1 AND source_sequence = 4',
      [orderId],
    );
    expect(kept?.units_sold).toBe(orderUnits + 2);
    const io = captureIo();
    expect(await runCli(['reconcile', ...state.cliTarget], io.io)).toBe(0);
  });

  it('the newest line by last_updated, even when it comes first', async () => {
    state = await stateWithRepeatedId((row) => [{ ...units(row, 1), last_updated: '2030-01-01 00:00:00.000' }, units(row, 2)]);
    const result = await reconcile(state.target);
    expect(result.differences).toEqual([]);
    expect(sales(result).loaded.money).toEqual(sales(result).sourceObjects.money);
    expect(sales(result).loaded.versions).toBe(sales(result).sourceObjects.versions);
  });
});
