/**
 * The same source id more than once within one ingestion object. A dimension keeps the
 * newest version whatever the line order; a fact's history holds one state per ingestion
 * sequence, so the object's state of the id is its newest line by last_updated, the later
 * line on a tie. Checked in the warehouse after a real load.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestDatabase, createTestDatabase } from '../support/database';
import { BadInputHarness } from './support/harness';
import { body, validLine } from './support/source-lines';
import { newPostgresClient } from '../../lambdas/adapters/pg/connect';

const h = new BadInputHarness();
let database: TestDatabase;

async function warehouse<T extends Record<string, unknown>>(sql: string): Promise<T[]> {
  const client = newPostgresClient(database.url);
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  database = await createTestDatabase();
  const older = '2024-11-01T09:00:00.000000';
  const newer = '2024-11-02T09:00:00.000000';
  const outcomes = [
    await h.transform(
      h.key('design', 1),
      body(
        validLine('design', { design_id: 5, design_name: 'Newest', last_updated: newer }),
        validLine('design', { design_id: 5, design_name: 'Older', last_updated: older }),
        validLine('design', { design_id: 6, design_name: 'Older', last_updated: older }),
        validLine('design', { design_id: 6, design_name: 'Newest', last_updated: newer }),
      ),
    ),
    await h.transform(
      h.key('sales_order', 1),
      body(
        validLine('sales_order', { sales_order_id: 7, units_sold: 10 }),
        validLine('sales_order', { sales_order_id: 7, units_sold: 10 }),
        validLine('sales_order', { sales_order_id: 7, units_sold: 11 }),
        validLine('sales_order', { sales_order_id: 8, units_sold: 1 }),
      ),
    ),
  ];
  for (const outcome of outcomes) if (outcome.error) throw outcome.error;
  const { batchesLoaded } = await h.load(database.url);
  if (batchesLoaded !== 2) throw new Error(`loaded ${batchesLoaded} batches, expected 2`);
}, 60_000);

afterAll(async () => {
  h.restore();
  await database?.drop();
});

describe('an id repeated within one object', () => {
  it('a dimension holds its newest version, whichever line came last', async () => {
    expect(await warehouse('SELECT design_id, design_name FROM dim_design WHERE NOT is_placeholder ORDER BY design_id')).toEqual([
      { design_id: 5, design_name: 'Newest' },
      { design_id: 6, design_name: 'Newest' },
    ]);
  });

  it('a fact holds one version per object: the later line when last_updated ties', async () => {
    expect(await warehouse('SELECT sales_order_id, units_sold FROM fact_sales_order ORDER BY sales_order_id, units_sold')).toEqual([
      { sales_order_id: 7, units_sold: 11 },
      { sales_order_id: 8, units_sold: 1 },
    ]);
  });

  it('no row was rejected: a repeated id is not bad input', () => {
    expect(h.rejected('design', 1)).toEqual([]);
    expect(h.rejected('sales_order', 1)).toEqual([]);
  });
});
