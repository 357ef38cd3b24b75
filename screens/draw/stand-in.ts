// Cheaper frames for lines with non-ASCII text (₹, ×, —, →, block and braille glyphs): Ink
// measures every <Text> on every frame with string-width, which is fast for printable ASCII
// and goes through Intl.Segmenter for anything else — about a fifth of a frame's CPU on the
// dashboard. A line whose every character is one cell wide can be measured as ASCII instead:
// each non-ASCII character (and the stand-in character itself) becomes STAND_IN, and a
// <Transform> puts the originals back, in order, when Ink writes the line to its output.
// Widths are string-width's own (the library Ink measures with), so the layout is the same.

import { cloneElement, Fragment, isValidElement, type ReactElement, type ReactNode } from 'react';
import stringWidth from 'string-width';

export const STAND_IN = '~';

const NARROW_CACHE_LIMIT = 4096;
const narrow = new Map<string, boolean>();

/** Whether `ch` (one code point) is exactly one cell wide on its own. */
function isOneCell(ch: string): boolean {
  let known = narrow.get(ch);
  if (known === undefined) {
    known = stringWidth(ch) === 1;
    if (narrow.size >= NARROW_CACHE_LIMIT) narrow.clear();
    narrow.set(ch, known);
  }
  return known;
}

export interface StandIn {
  /** The children with stand-ins, all printable ASCII. */
  children: ReactNode;
  /** Cells the line takes. */
  width: number;
  /** Puts the originals back into the written line (ANSI codes never contain STAND_IN). */
  restore: (line: string) => string;
}

class Bail extends Error {}

/** Children as createElement's rest arguments: static children, so React asks no keys of them. */
export function asChildren(node: ReactNode): ReactNode[] {
  return Array.isArray(node) ? node : [node];
}

/**
 * The children of a line as ASCII, or null when they cannot be (a character that is not one
 * cell wide — wide, combining, control — or an element other than `textElement` or a
 * fragment, whose text this cannot see). Then the line takes the ordinary path.
 */
export function standIn(children: ReactNode, textElement: unknown): StandIn | null {
  const originals: string[] = [];
  let width = 0;
  let substituted = false;
  const text = (s: string): string => {
    let out = '';
    for (const ch of s) {
      const code = ch.codePointAt(0) as number;
      if (code >= 0x20 && code <= 0x7e && ch !== STAND_IN) out += ch;
      else if (ch === STAND_IN || isOneCell(ch)) {
        originals.push(ch);
        out += STAND_IN;
        substituted = true;
      } else throw new Bail();
      width++;
    }
    return out;
  };
  const walk = (node: ReactNode): ReactNode => {
    if (node === null || node === undefined || typeof node === 'boolean') return node;
    if (typeof node === 'string') return text(node);
    if (typeof node === 'number') return text(String(node));
    if (Array.isArray(node)) return node.map(walk);
    // A fragment's children are the line's own (Position's "| unrealised …" part).
    if (isValidElement(node) && node.type === Fragment) return walk((node as ReactElement<{ children?: ReactNode }>).props.children);
    if (isValidElement(node) && node.type === textElement) {
      const el = node as ReactElement<{ children?: ReactNode }>;
      return cloneElement(el, undefined, ...asChildren(walk(el.props.children)));
    }
    throw new Bail();
  };
  try {
    const mapped = walk(children);
    if (!substituted) return { children, width, restore: (line) => line };
    return {
      children: mapped,
      width,
      restore: (line) => {
        let k = 0;
        return line.replace(/~/g, () => originals[k++] ?? STAND_IN);
      },
    };
  } catch (err) {
    if (err instanceof Bail) return null;
    throw err;
  }
}
