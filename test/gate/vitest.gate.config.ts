/**
 * `npm test`'s own config (global setup, setup files, pool) with only the deliberately
 * failing check included: `.ci/run` requires this run to exit non-zero.
 */
import suite from '../../vitest.config';

export default { ...suite, test: { ...suite.test, include: ['test/gate/deliberately-failing.check.ts'] } };
