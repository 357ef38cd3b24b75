// Bundles the compiled CLI into one file (dist/random-scalp.mjs, plus chunks loaded on demand): start-up loads one module
// instead of the ~1,000 behind Ink and React. bin/random-scalp.js falls back to dist/src when
// the bundle is missing.
import fs from 'node:fs';
import { build } from 'esbuild';

// Chunk names carry a content hash: clear the last build's, or every build leaves its own behind.
fs.rmSync('dist/chunks', { recursive: true, force: true });

await build({
  // The commands the dashboard does not need (report, doctor, backtest, charges, paper-server)
  // are imported when used: split into chunks, they are not even parsed at start-up.
  entryPoints: { 'random-scalp': 'dist/src/cli/main.js' },
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  splitting: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
  // A native addon: it loads its compiled .node file relative to its own package, so it stays in node_modules.
  external: ['better-sqlite3'],
  // Ink loads the React devtools only when DEV=true, and they are not a dependency: stub them.
  plugins: [
    {
      name: 'no-devtools',
      setup(b) {
        b.onResolve({ filter: /^react-devtools-core$/ }, () => ({ path: 'react-devtools-core', namespace: 'stub' }));
        b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({
          contents: 'export default { initialize() {}, connectToDevTools() {} };',
          loader: 'js',
        }));
      },
    },
  ],
  define: { 'process.env.NODE_ENV': '"production"' },
  // Bundled CommonJS dependencies call require(): give the ES module one.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
});
