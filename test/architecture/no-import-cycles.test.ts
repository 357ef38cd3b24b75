import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// No import cycles in src/ or screens/, counting type-only imports too: each layer (time, broker
// types, store, engine, desk, cli) may use the ones below it, never the other way round.

const ROOT = path.resolve(import.meta.dirname, '../..');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return /\.tsx?$/.test(e.name) ? [p] : [];
  });
}

function importGraph(): Map<string, string[]> {
  const files = [...sources(path.join(ROOT, 'src')), ...sources(path.join(ROOT, 'screens'))];
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  const spec = /^\s*(?:import|export)\b[^'"]*?from\s+['"](\.[^'"]+)['"]/gm;
  for (const file of files) {
    const deps: string[] = [];
    for (const m of fs.readFileSync(file, 'utf8').matchAll(spec)) {
      const base = path.resolve(path.dirname(file), m[1]!.replace(/\.js$/, ''));
      const hit = [`${base}.ts`, `${base}.tsx`].find((f) => known.has(f));
      if (hit) deps.push(hit);
    }
    graph.set(file, deps);
  }
  return graph;
}

/** One cycle, as a path of files, or null. */
function findCycle(graph: Map<string, string[]>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (f: string): string[] | null => {
    state.set(f, 'open');
    stack.push(f);
    for (const d of graph.get(f) ?? []) {
      if (state.get(d) === 'open') return [...stack.slice(stack.indexOf(d)), d];
      if (!state.has(d)) {
        const c = visit(d);
        if (c) return c;
      }
    }
    stack.pop();
    state.set(f, 'done');
    return null;
  };
  for (const f of graph.keys()) {
    if (state.has(f)) continue;
    const c = visit(f);
    if (c) return c;
  }
  return null;
}

describe('module layering', () => {
  it('has no import cycle (type-only imports included)', () => {
    const graph = importGraph();
    expect(graph.size).toBeGreaterThan(200);
    const cycle = findCycle(graph);
    expect(cycle?.map((f) => path.relative(ROOT, f)).join(' → ') ?? null).toBeNull();
  });
});
