/**
 * Each rule has one home (issue "One home for every rule"): calendar arithmetic in
 * lambdas/core/time, money text in lambdas/core/money, the exact Parquet read in
 * lambdas/core/parquet/reader.ts. A second copy written anywhere in the product is found here.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..', '..');
const PRODUCT = ['lambdas', 'lib', 'local', 'ops', 'bin', 'bench'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : sourceFiles(path);
    return name.endsWith('.ts') ? [relative(ROOT, path)] : [];
  });
}

const FILES = PRODUCT.flatMap((dir) => sourceFiles(join(ROOT, dir)));

/** The product files whose text matches `pattern`. */
function filesMatching(pattern: RegExp): string[] {
  return FILES.filter((file) => pattern.test(readFileSync(join(ROOT, file), 'utf8'))).sort();
}

describe('one home per rule', () => {
  it('writes the length of a day and the civil-date conversion only in core/time', () => {
    expect(filesMatching(/86_?400_?000|24 \* MS_PER_HOUR/)).toEqual(['lambdas/core/time/calendar.ts']);
    // 719_468: days from 0000-03-01 to 1970-01-01, the constant of Hinnant's conversions.
    expect(filesMatching(/719_?468/)).toEqual(['lambdas/core/time/calendar.ts']);
  });

  it('prints and parses money text only in core/money', () => {
    // Splitting an unscaled integer's digits at the scale is how every copy starts.
    expect(filesMatching(/padStart\(scale \+ 1|% 100n/)).toEqual(['lambdas/core/money/decimal-text.ts']);
  });

  it('reads Parquet with hyparquet only in core/parquet/reader.ts', () => {
    expect(filesMatching(/\bparquet(?:Read|Scan|ReadObjects)\s*\(/)).toEqual(['lambdas/core/parquet/reader.ts']);
  });
});
