/**
 * A test that must fail. `.ci/run` runs it with `npm test`'s own config and global setup
 * (which starts the embedded Postgres) and fails CI if that run exits 0: the proof that a
 * failing test reaches the exit code. Not matched by the suite's `*.test.ts` pattern.
 */
import { expect, it } from 'vitest';

it('fails on purpose, so the CI gate can prove it reports failure', () => {
  expect(1 + 1).toBe(3);
});
