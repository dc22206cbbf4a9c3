/** The transform's public API: one ingestion object into star-schema Parquet batches, and the rules ops reads back. */
export { JoinStateStore, StateFileError } from './join-state';
export { DIMENSION_REMODELS, FACT_REMODELS, type FactRemodel, JOIN_REMODELS, timestampOf } from './remodels';
export { lastProcessedSequenceParameter } from './sequence-tracker';
export { holderName } from './transform-lock';
export { type TransformDeps, type TransformSummary, transformObject } from './transform-object';
export { sequenceOfVersion, upgradeVersion, versionHash } from './versions';
