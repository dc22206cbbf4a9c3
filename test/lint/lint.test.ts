/**
 * Each rule `npm run lint` enforces rejects a fixture that breaks it, so a rule that stops
 * working fails here instead of passing silently. Fixtures live in lint/fixtures, which
 * the linters skip when they check the project itself.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkBoundaries, importSpecifiers } from '../../lint/boundaries';

const ROOT = join(import.meta.dirname, '..', '..');
const FIXTURES = join(ROOT, 'lint', 'fixtures');
const BIN = join(ROOT, 'node_modules', '.bin');
const scratch: string[] = [];

afterAll(() => {
  for (const folder of scratch) rmSync(folder, { recursive: true, force: true });
});

describe('import boundaries (resolved paths)', () => {
  it('the project keeps every boundary', () => {
    expect(checkBoundaries(ROOT)).toEqual([]);
  });

  it('rejects each violating import in the fixture, type-only and dynamic imports included', () => {
    const found = checkBoundaries(join(FIXTURES, 'boundaries')).map((v) => `${v.file} -> ${v.imported} [${v.rule}]`);
    expect(found.sort()).toEqual(
      [
        'lambdas/core/impure.ts -> @aws-sdk/client-s3 [core-is-pure]',
        'lambdas/core/impure.ts -> local/console-log [core-is-pure]',
        'lambdas/core/impure.ts -> local/console-log [lambda-code-ships-alone]',
        'lambdas/core/impure.ts -> ops/cli.ts [core-is-pure]',
        'lambdas/core/impure.ts -> ops/cli.ts [lambda-code-ships-alone]',
        'lambdas/core/impure.ts -> lambdas/transform/handler [core-is-pure]',
        'lambdas/core/parquet/deep.ts -> hyparquet-writer/src/metadata.js [library-internals-behind-one-module]',
        'lambdas/core/load/driver.ts -> pg-copy-streams [core-imports-no-database-driver]',
        'lib/stack.ts -> lambdas/core/load/loader [stack-builds-no-runtime]',
        'ops/cli.ts -> vitest [product-never-imports-tests]',
        'ops/edges.ts -> lambdas/load/config [ops-uses-adapters-not-handlers]',
        'ops/deep-core.ts -> lambdas/core/load/loader [core-modules-through-their-index]',
        'ops/edges.ts -> local/adapters/file-object-store [ops-uses-adapters-not-handlers]',
      ].sort(),
    );
  });

  it('reads specifiers of every import form and ignores commented-out ones', () => {
    const source = [
      "import a from 'a';",
      "import type { B } from 'b';",
      "import { type C, d } from 'c';",
      "import * as e from 'e';",
      "import 'side-effect';",
      "export { f } from 'f';",
      "export * from 'g';",
      "const h = await import('h');",
      "// import x from 'commented';",
      "/* import y from 'block'; */",
    ].join('\n');
    expect(importSpecifiers(source)).toEqual(['a', 'b', 'c', 'e', 'side-effect', 'f', 'g', 'h']);
  });
});

describe('biome', () => {
  it('rejects focused and skipped tests', () => {
    const folder = mkdtempSync(join(tmpdir(), 'lint-biome-'));
    scratch.push(folder);
    // Kept as `.fixture` so that nothing that scans the tree for focused or skipped tests trips on it.
    cpSync(join(FIXTURES, 'biome', 'focused-and-skipped.test.ts.fixture'), join(folder, 'focused-and-skipped.test.ts'));
    const result = spawnSync(join(BIN, 'biome'), ['lint', '--config-path', join(ROOT, 'biome.json'), '.'], {
      cwd: folder,
      encoding: 'utf8',
    });
    const output = `${result.stdout}${result.stderr}`;
    expect(output).toContain('lint/suspicious/noFocusedTests');
    expect(output).toContain('lint/suspicious/noSkippedTests');
    expect(result.status).not.toBe(0);
  });
});

describe('knip', () => {
  it('rejects an unused export and an unused file', () => {
    const result = spawnSync(join(BIN, 'knip'), ['--no-progress'], { cwd: join(FIXTURES, 'knip'), encoding: 'utf8' });
    expect(result.stdout).toMatch(/Unused files[\s\S]*orphan\.ts/);
    expect(result.stdout).toMatch(/Unused exports[\s\S]*neverImported/);
    expect(result.status).not.toBe(0);
  });
});
