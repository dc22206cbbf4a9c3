/**
 * Benchmarks time the code Lambda runs: a benchmark's child script is bundled by esbuild
 * with the Lambdas' settings (lib/lambda-bundle.ts) and run by plain node with their
 * NODE_OPTIONS, not through the tsx loader the tests use (its module hooks and per-file
 * transforms are not what ships).
 */
import { spawnSync } from 'node:child_process';
import { join, parse } from 'node:path';
import { build } from 'esbuild';
import { LAMBDA_BUNDLE, LAMBDA_NODE_OPTIONS } from '../lib/lambda-bundle';

/** Bundles `entry` (a TypeScript file) into `outputDir` as the Lambdas are bundled; returns the bundle's path. */
export async function bundleLikeLambda(entry: string, outputDir: string): Promise<string> {
  const outfile = join(outputDir, `${parse(entry).name}.mjs`);
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: LAMBDA_BUNDLE.target,
    mainFields: [...LAMBDA_BUNDLE.mainFields],
    banner: { js: LAMBDA_BUNDLE.banner },
    minify: LAMBDA_BUNDLE.minify,
    sourcemap: LAMBDA_BUNDLE.sourceMap,
    sourcesContent: LAMBDA_BUNDLE.sourcesContent,
    external: [...LAMBDA_BUNDLE.externalModules],
    logLevel: 'warning',
  });
  return outfile;
}

/** Runs a bundle with the Lambdas' NODE_OPTIONS; returns the JSON object its last stdout line holds. */
export function runBundle<T>(bundle: string, args: readonly string[]): T {
  const run = spawnSync(process.execPath, [...LAMBDA_NODE_OPTIONS.split(' '), bundle, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (run.status !== 0) throw new Error(`${parse(bundle).name} failed (exit ${run.status})`);
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as T;
}
