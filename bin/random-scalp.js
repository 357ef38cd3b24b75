#!/usr/bin/env node
// Thin launcher: the CLI lives in src/cli and is compiled to dist by `npm install` (prepare).

// React (under Ink) loads its development build unless NODE_ENV says production, and that build
// costs a quarter more CPU per dashboard frame. Decide before the CLI (and React) is imported;
// an explicit NODE_ENV still wins.
process.env.NODE_ENV ??= 'production';
// Node's global fetch is a getter that loads undici (~25 ms) the first time anyone looks at it,
// and Yoga's WebAssembly loader (under Ink) looks (`typeof fetch`) only to decide not to use it
// for its inlined binary. Nothing here uses fetch: it is hidden while the CLI loads, then put back.
const fetchProperty = Object.getOwnPropertyDescriptor(globalThis, 'fetch');
if (fetchProperty?.configurable) delete globalThis.fetch;
// One bundled file loads in a third of the time of the ~1,000 modules behind Ink; the plain
// compiled tree is the fallback when the bundle was not built.
const { main } = await import('../dist/random-scalp.mjs')
  .catch((err) => {
    if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !String(err.message).includes('random-scalp.mjs')) throw err;
    return import('../dist/src/cli/main.js');
  })
  .finally(() => {
    if (fetchProperty?.configurable) Object.defineProperty(globalThis, 'fetch', fetchProperty);
  });

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => {
    process.stderr.write(`random-scalp: unexpected error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
