/** The transform's dim_date rows for a run of days, as the warehouse returns them (date as text). */
import { dateAttributes } from '../../../lambdas/core/transform/dim-date';

const DAY = 86_400_000;

export function transformDimDateRows(start: number, count: number): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) => {
    const attributes = dateAttributes(start + i);
    // The date as text by the platform's calendar, not the loader's own formatter under test.
    return { ...attributes, date_id: new Date(attributes.date_id * DAY).toISOString().slice(0, 10) };
  });
}
