// Ink (6.8) builds a fresh OutputCaches for every frame, so every line of every frame is
// tokenized and split into styled characters again although most lines did not change. One
// cache for all frames (emptied when it grows large) makes a dashboard frame about a third
// cheaper (npm run bench, "Dashboard CPU"). Applied to node_modules at install (prepare), before
// the build; idempotent; if Ink's file is not the shape expected, it says so and changes nothing.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const MARK = '/* random-scalp: one output cache for every frame */';
const require = createRequire(import.meta.url);
let file;
try {
  file = path.join(path.dirname(require.resolve('ink/package.json')), 'build', 'output.js');
} catch {
  // ink's package.json is not exported everywhere: find it beside this project instead.
  file = path.join(process.cwd(), 'node_modules', 'ink', 'build', 'output.js');
}
const text = fs.readFileSync(file, 'utf8');
if (text.includes(MARK)) process.exit(0);
const classLine = 'export default class Output {';
const perFrame = '    caches = new OutputCaches();';
if (!text.includes(classLine) || !text.includes(perFrame)) {
  console.warn(`patch-ink: ${file} is not the shape expected (Ink changed?): frames keep Ink's per-frame cache`);
  process.exit(0);
}
const shared = `${MARK}
const SHARED_CACHES = new OutputCaches();
function sharedOutputCaches() {
    if (SHARED_CACHES.styledChars.size + SHARED_CACHES.widths.size > 20000) {
        SHARED_CACHES.styledChars.clear();
        SHARED_CACHES.widths.clear();
        SHARED_CACHES.blockWidths.clear();
    }
    return SHARED_CACHES;
}
`;
const patched = text.replace(classLine, `${shared}${classLine}`).replace(perFrame, '    caches = sharedOutputCaches();');
fs.writeFileSync(file, patched);
