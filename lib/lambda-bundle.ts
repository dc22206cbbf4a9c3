/**
 * How a pipeline Lambda is bundled (esbuild, through NodejsFunction): plain settings, so
 * that the benchmarks can build and time the very code Lambda runs (`bench/lambda-bundle.ts`).
 */

// Bundled as ESM; CommonJS dependencies (pg, …) still call require(), which ESM lacks.
const REQUIRE_SHIM = "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

export const LAMBDA_BUNDLE = {
  target: 'node22',
  mainFields: ['module', 'main'],
  banner: REQUIRE_SHIM,
  minify: true,
  sourceMap: true,
  // Stack traces map to file and line; the sources themselves need not ship.
  sourcesContent: false,
  // pg loads pg-native only when asked for native bindings, which this code never does.
  externalModules: ['pg-native'],
} as const;

/** The Lambdas' NODE_OPTIONS. */
export const LAMBDA_NODE_OPTIONS = '--enable-source-maps';
