import { describe, expect, it } from 'vitest';
import { dateAttributes, dimDateRow } from '../../lambdas/core/transform/dim-date';
import { DIMENSION_TABLES } from '../../lambdas/core/schema/warehouse-tables';

const day = (year: number, month: number, dayOfMonth: number) => Date.UTC(year, month - 1, dayOfMonth) / 86_400_000;

describe('dim_date attributes', () => {
  it('uses ISO day_of_week: Monday 1 … Sunday 7', () => {
    // 2024-11-11 was a Monday, 2024-11-17 a Sunday.
    expect(dateAttributes(day(2024, 11, 11))).toMatchObject({ day_of_week: 1, day_name: 'Monday' });
    expect(dateAttributes(day(2024, 11, 14))).toMatchObject({ day_of_week: 4, day_name: 'Thursday' });
    expect(dateAttributes(day(2024, 11, 17))).toMatchObject({ day_of_week: 7, day_name: 'Sunday' });
  });

  it('puts December in quarter 4 and each month in (month − 1) div 3 + 1', () => {
    const quarters = Array.from({ length: 12 }, (_, i) => dateAttributes(day(2023, i + 1, 15)).quarter);
    expect(quarters).toEqual([1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]);
    expect(dateAttributes(day(2023, 12, 31)).quarter).toBe(4);
  });

  it('names days and months in English, capitalised and unpadded', () => {
    expect(dateAttributes(day(2022, 11, 3))).toEqual({
      date_id: day(2022, 11, 3),
      year: 2022,
      month: 11,
      day: 3,
      day_of_week: 4,
      day_name: 'Thursday',
      month_name: 'November',
      quarter: 4,
    });
    expect(dateAttributes(day(2024, 2, 29))).toMatchObject({ month: 2, day: 29, month_name: 'February' });
  });

  it('orders a row by the dim_date definition', () => {
    const names = DIMENSION_TABLES.dim_date.columns.map((c) => c.name);
    const attributes = dateAttributes(day(2024, 1, 1)) as unknown as Record<string, unknown>;
    expect(dimDateRow(day(2024, 1, 1))).toEqual(names.map((name) => attributes[name]));
  });
});
