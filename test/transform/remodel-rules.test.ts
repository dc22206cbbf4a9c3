/** CONTRACT.md §4: how each source table becomes warehouse rows. */
import { describe, expect, it } from 'vitest';
import { day, rows, ts } from '../support/source-rows';
import { remodel } from './support/remodel';
import { TableState } from '../../lambdas/core/transform/join-state';

const HEX32 = /^[0-9a-f]{32}$/;

describe('fact_sales_order', () => {
  it('splits timestamps into date and time keeping milliseconds, renames staff_id to sales_staff_id', async () => {
    const { tables } = await remodel('sales_order', [
      rows.sales_order({ created_at: ts('2024-11-14 09:30:12.345'), last_updated: ts('2024-11-15 23:59:59.999') }),
    ]);
    const [fact] = tables.fact_sales_order!;
    expect(fact).toEqual({
      sales_order_id: 2,
      created_date: day('2024-11-14'),
      created_time: 34_212_345,
      last_updated_date: day('2024-11-15'),
      last_updated_time: 86_399_999,
      sales_staff_id: 19,
      counterparty_id: 8,
      units_sold: 42972,
      unit_price: 394n,
      currency_id: 2,
      design_id: 3,
      agreed_payment_date: day('2022-11-08'),
      agreed_delivery_date: day('2022-11-07'),
      agreed_delivery_location_id: 8,
      version_hash: expect.stringMatching(HEX32),
    });
    expect(fact).not.toHaveProperty('staff_id');
  });

  it('writes a dim_date row for every date a fact references', async () => {
    const { tables } = await remodel('sales_order', [
      rows.sales_order({ created_at: ts('2024-11-14 09:30:12.345'), last_updated: ts('2024-11-15 10:00:00') }),
      rows.sales_order({ sales_order_id: 3, agreed_delivery_date: day('2024-11-21') }),
    ]);
    const dates = tables.dim_date!.map((row) => row.date_id);
    expect(dates).toEqual(['2022-11-03', '2022-11-07', '2022-11-08', '2024-11-14', '2024-11-15', '2024-11-21'].map(day));
    expect(tables.dim_date!.find((row) => row.date_id === day('2024-11-21'))).toEqual({
      date_id: day('2024-11-21'),
      year: 2024,
      month: 11,
      day: 21,
      day_of_week: 4,
      day_name: 'Thursday',
      month_name: 'November',
      quarter: 4,
    });
  });

  it('keeps money exact to the cent, up to numeric(10,2) limits', async () => {
    const { tables } = await remodel('sales_order', [
      rows.sales_order({ sales_order_id: 1, unit_price: 9_999_999_999n }),
      rows.sales_order({ sales_order_id: 2, unit_price: 1n }),
      rows.sales_order({ sales_order_id: 3, unit_price: 10n }),
    ]);
    expect(tables.fact_sales_order!.map((row) => row.unit_price)).toEqual([9_999_999_999n, 1n, 10n]);
  });
});

describe('fact_purchase_order', () => {
  it('keeps staff_id and the exact item_unit_price', async () => {
    const { tables } = await remodel('purchase_order', [rows.purchase_order()]);
    expect(tables.fact_purchase_order![0]).toMatchObject({
      purchase_order_id: 1,
      staff_id: 12,
      item_code: 'ZDOI5EA',
      item_quantity: 371,
      item_unit_price: 36139n,
      agreed_delivery_date: day('2022-11-09'),
      agreed_payment_date: day('2022-11-07'),
      created_time: 51_652_187, // 14:20:52.187
    });
  });
});

describe('fact_payment', () => {
  it('drops company_ac_number and counterparty_ac_number and keeps paid as a boolean', async () => {
    const { tables } = await remodel('payment', [rows.payment({ paid: true })]);
    const [fact] = tables.fact_payment!;
    expect(Object.keys(fact!)).not.toContain('company_ac_number');
    expect(Object.keys(fact!)).not.toContain('counterparty_ac_number');
    expect(fact).toMatchObject({ payment_id: 2, payment_amount: 55254862n, paid: true, payment_date: day('2022-11-03') });
    expect(tables.dim_date!.map((row) => row.date_id)).toEqual([day('2022-11-03')]);
  });
});

describe('dim_staff', () => {
  it("takes the department's name and location, and keeps source spelling such as Leds", async () => {
    const state = new Map([['department', new TableState('department')]]) as Map<never, TableState>;
    await remodel('department', [rows.department({ department_id: 4, department_name: 'Dispatch', location: 'Leds' })], {
      state,
    });
    const { tables } = await remodel('staff', [rows.staff({ staff_id: 7, department_id: 4 })], { state });
    expect(tables.dim_staff).toEqual([
      {
        staff_id: 7,
        first_name: 'Jeremie',
        last_name: 'Franey',
        department_name: 'Dispatch',
        location: 'Leds',
        email_address: 'jeremie.franey@terrifictotes.com',
        source_version: '0000000001.20221103T142049962/0000000001.20221103T142049962',
      },
    ]);
  });

  it('keeps a null department location as null', async () => {
    const state = new Map() as Map<never, TableState>;
    await remodel('department', [rows.department({ location: null })], { state });
    const { tables } = await remodel('staff', [rows.staff()], { state });
    expect(tables.dim_staff![0]!.location).toBeNull();
  });
});

describe('dim_counterparty', () => {
  it('joins the legal address with counterparty_legal_* names and phone → counterparty_legal_phone_number', async () => {
    const state = new Map() as Map<never, TableState>;
    await remodel('address', [rows.address({ address_id: 15, district: 'Avon' })], { state, sequence: 3 });
    const { tables } = await remodel('counterparty', [rows.counterparty({ legal_address_id: 15 })], {
      state,
      sequence: 9,
    });
    expect(tables.dim_counterparty).toEqual([
      {
        counterparty_id: 1,
        counterparty_legal_name: 'Fahey and Sons',
        counterparty_legal_address_line_1: '6826 Herzog Via',
        counterparty_legal_address_line_2: null,
        counterparty_legal_district: 'Avon',
        counterparty_legal_city: 'New Patienceburgh',
        counterparty_legal_postal_code: '28441',
        counterparty_legal_country: 'Turkey',
        counterparty_legal_phone_number: '1803 637401',
        source_version: '0000000009.20221103T142049962/0000000003.20221103T142049962',
      },
    ]);
  });
});

describe('dim_location', () => {
  it('is the address with address_id as location_id, null lines kept null', async () => {
    const { tables } = await remodel('address', [rows.address({ address_id: 2 })], { sequence: 12 });
    expect(tables.dim_location).toEqual([
      {
        location_id: 2,
        address_line_1: '6826 Herzog Via',
        address_line_2: null,
        district: null,
        city: 'New Patienceburgh',
        postal_code: '28441',
        country: 'Turkey',
        phone: '1803 637401',
        source_version: '0000000012.20221103T142049962',
      },
    ]);
  });
});

describe('dim_currency', () => {
  it('names currencies in English from ICU', async () => {
    const { tables } = await remodel('currency', [
      rows.currency({ currency_id: 1, currency_code: 'GBP' }),
      rows.currency({ currency_id: 2, currency_code: 'USD' }),
      rows.currency({ currency_id: 3, currency_code: 'EUR' }),
    ]);
    expect(
      tables.dim_currency!.map(({ currency_id, currency_code, currency_name }) => [currency_id, currency_code, currency_name]),
    ).toEqual([
      [1, 'GBP', 'British Pound'],
      [2, 'USD', 'US Dollar'],
      [3, 'EUR', 'Euro'],
    ]);
  });

  it('keeps an unknown code as its name and logs a warning naming it', async () => {
    const { tables, log } = await remodel('currency', [rows.currency({ currency_id: 9, currency_code: 'XQZ' })]);
    expect(tables.dim_currency![0]).toMatchObject({ currency_code: 'XQZ', currency_name: 'XQZ' });
    expect(log.at('warn')).toEqual([
      expect.objectContaining({ attributes: expect.objectContaining({ currencyCode: 'XQZ', currencyId: 9 }) }),
    ]);
  });
});

describe('dim_design, dim_payment_type, dim_transaction', () => {
  it('copy their source columns by name with the source version', async () => {
    const design = await remodel('design', [rows.design()], { sequence: 4 });
    expect(design.tables.dim_design).toEqual([
      {
        design_id: 8,
        design_name: 'Wooden',
        file_location: '/usr',
        file_name: 'wooden-20220717-npgz.json',
        source_version: '0000000004.20221103T142049962',
      },
    ]);
    const paymentType = await remodel('payment_type', [rows.payment_type({ payment_type_name: 'PURCHASE_REFUND' })]);
    expect(paymentType.tables.dim_payment_type![0]).toMatchObject({ payment_type_id: 1, payment_type_name: 'PURCHASE_REFUND' });
    const transaction = await remodel('transaction', [rows.transaction()]);
    expect(transaction.tables.dim_transaction![0]).toMatchObject({
      transaction_id: 1,
      transaction_type: 'PURCHASE',
      sales_order_id: null,
      purchase_order_id: 2,
    });
  });

  it('write one row per id in a batch: the newest version', async () => {
    const { tables } = await remodel('design', [
      rows.design({ design_name: 'Newer', last_updated: ts('2023-01-01 00:00:00') }),
      rows.design({ design_name: 'Older', last_updated: ts('2022-12-01 00:00:00') }),
    ]);
    expect(tables.dim_design!.map((row) => row.design_name)).toEqual(['Newer']);
  });
});
