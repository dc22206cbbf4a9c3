/**
 * Audit columns the warehouse adds that are not carried in Parquet (the ones that are,
 * `version_hash` and `source_version`, are in the table definitions). Documented for
 * analysts in lambdas/core/load/README.md ("Audit columns") and in the database itself
 * (COMMENT ON COLUMN).
 */

/** Facts: when the row was loaded and which batch brought it. */
export const FACT_LOADED_AT = 'loaded_at';
/** `<source table>/<10-digit sequence>`: the batch a fact version came from. */
export const FACT_SOURCE_BATCH = 'source_batch';
/**
 * The ingestion sequence at which this version became the row's state: versions are
 * ordered by it (CONTRACT.md §5), and the newest is the current one. Unique per natural id.
 */
export const FACT_SOURCE_SEQUENCE = 'source_sequence';

/** Dimensions: true while the row is a stand-in for one that has not arrived yet. */
export const DIMENSION_IS_PLACEHOLDER = 'is_placeholder';
/** Dimensions: when the row's values last changed (not bumped when only the version moves). */
export const DIMENSION_LOADED_AT = 'loaded_at';

/** Value of every non-null text column of a placeholder dimension row. */
export const PLACEHOLDER_TEXT = '(pending)';
/** A placeholder's version: below every real version, so the real row always wins. */
export const PLACEHOLDER_VERSION = '';
