/** The transform's dim_date rows for a run of days, as the warehouse returns them (date as text). */
import { formatDate } from '../../../lambdas/core/load/copy-text';
import { dateAttributes } from '../../../lambdas/core/transform/dim-date';

export function transformDimDateRows(start: number, count: number): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) => {
    const attributes = dateAttributes(start + i);
    return { ...attributes, date_id: formatDate(attributes.date_id) };
  });
}
