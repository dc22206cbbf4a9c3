/**
 * dim_date rows, derived from the day number alone (CONTRACT.md §4): ISO day_of_week
 * (Monday 1 … Sunday 7), English unpadded names, quarter = (month − 1) div 3 + 1.
 */
import type { CellValue } from '../schema/column-types';
import { DIMENSION_TABLES } from '../schema/warehouse-tables';
import { civilFromDays, isoDayOfWeek } from '../time/calendar';

const DAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;
const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;

export interface DateAttributes {
  readonly date_id: number;
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly day_of_week: number;
  readonly day_name: string;
  readonly month_name: string;
  readonly quarter: number;
}

export function dateAttributes(days: number): DateAttributes {
  const { year, month, day } = civilFromDays(days);
  const dayOfWeek = isoDayOfWeek(days);
  return {
    date_id: days,
    year,
    month,
    day,
    day_of_week: dayOfWeek,
    day_name: DAY_NAMES[dayOfWeek - 1]!,
    month_name: MONTH_NAMES[month - 1]!,
    quarter: Math.floor((month - 1) / 3) + 1,
  };
}

const DIM_DATE_COLUMNS = DIMENSION_TABLES.dim_date.columns.map((column) => column.name as keyof DateAttributes);

/** A dim_date row: values in the table's column order. */
export function dimDateRow(days: number): CellValue[] {
  const attributes = dateAttributes(days);
  return DIM_DATE_COLUMNS.map((name) => attributes[name]);
}
