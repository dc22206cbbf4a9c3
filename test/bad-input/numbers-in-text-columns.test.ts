/**
 * A dump that typed phone numbers (and other text) as JSON numbers, through the real
 * transform: CONTRACT.md §2 makes each such value its literal text, so the addresses become real
 * dim_location and dim_counterparty rows (not rejections leaving placeholders), and the
 * values are counted per source table in the NumbersAsText metric.
 */
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { TransformMetric } from '../../lambdas/core/metric-names';
import { TransformHarness } from '../transform/support/harness';
import { line, rawLine } from '../support/source-rows';

const h = new TransformHarness();
beforeEach(() => h.reset());
afterAll(() => {
  h.s3.restore();
  h.ssm.restore();
});

describe('numbers in text columns', () => {
  it('an address object with numeric phones yields dim_location rows holding the literal text', async () => {
    const address = h.ingest('address', 1, [
      rawLine('address', { address_id: 1 }, { phone: '1803637401' }),
      rawLine('address', { address_id: 2 }, { phone: '1.50', postal_code: '28441' }),
      rawLine('address', { address_id: 3 }, { phone: '-0' }),
      rawLine('address', { address_id: 4 }, { phone: '1e3' }),
      line('address', { address_id: 5, phone: '1803 637401' }),
    ]);
    const summary = await h.transform(address);
    expect(summary).toMatchObject({ outcome: 'processed', rowsIn: 5, rowsRejected: 0, numbersAsText: 5, rowsOut: { dim_location: 5 } });
    expect(summary.rejectedKey).toBeUndefined();

    const locations = await h.rows('address', 1, 'dim_location');
    expect(locations!.map((row) => [row.location_id, row.phone, row.postal_code])).toEqual([
      [1, '1803637401', '28441'],
      [2, '1.50', '28441'],
      [3, '-0', '28441'],
      [4, '1e3', '28441'],
      [5, '1803 637401', '28441'],
    ]);
    expect(h.metrics.points).toContainEqual({
      name: TransformMetric.NumbersAsText,
      value: 5,
      unit: 'Count',
      dimensions: { table: 'address' },
    });
    expect(h.log.entries).toContainEqual(
      expect.objectContaining({ message: 'transform completed', attributes: expect.objectContaining({ numbersAsText: 5 }) }),
    );

    // The counterparty joined to such an address carries the phone as text too.
    const counterparty = h.ingest('counterparty', 1, [line('counterparty', { counterparty_id: 7, legal_address_id: 1 })]);
    expect(await h.transform(counterparty)).toMatchObject({ rowsRejected: 0, numbersAsText: 0 });
    const counterparties = await h.rows('counterparty', 1, 'dim_counterparty');
    expect(counterparties).toMatchObject([{ counterparty_id: 7, counterparty_legal_phone_number: '1803637401' }]);
    expect(h.metrics.total(TransformMetric.NumbersAsText, 'counterparty')).toBe(0);
  });
});
