/**
 * "Not configured yet": the warehouse secret the stack created still holds the
 * placeholder host it was created with (lib/warehouse-secret.ts). Until an operator fills
 * it in there is no warehouse to load into; that is the expected state right after the
 * first deploy, not a failure, so the run ends cleanly with one warning and the
 * WarehouseNotConfigured metric instead of failing, retrying and dead-lettering.
 */
import type { DatabaseSecret } from '../adapters/aws/secrets';

/** The host the stack-created secret starts with. Never change it: see lib/warehouse-secret.ts. */
export const PLACEHOLDER_HOST = 'FILL-IN-warehouse-host';

export function isPlaceholderSecret(secret: DatabaseSecret): boolean {
  return secret.host === PLACEHOLDER_HOST;
}
