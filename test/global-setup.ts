import { execFileSync } from 'node:child_process';
import path from 'node:path';

// End-to-end tests run the compiled, bundled CLI (bin/random-scalp.js → dist/random-scalp.mjs). Build once, before any
// test file starts, so they never run stale code and never race each other writing dist/.
export default function setup(): void {
  const root = path.resolve(import.meta.dirname, '..');
  execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
    cwd: root,
    stdio: 'inherit',
  });
  execFileSync(process.execPath, [path.join(root, 'scripts/bundle.mjs')], { cwd: root, stdio: 'inherit' });
}
