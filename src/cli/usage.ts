import fs from 'node:fs';

// What the commands that take flags share: a usage error is one line (the flag, the value, what
// is allowed) and exit code 1, never a stack trace.

export class UsageError extends Error {}

/** A calendar date YYYY-MM-DD (IST), or a UsageError naming the flag. */
export function checkDate(flag: string, value: string): string {
  const parsed = Date.parse(`${value}T00:00:00Z`);
  const ok = /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(parsed) && new Date(parsed).toISOString().slice(0, 10) === value;
  if (!ok) throw new UsageError(`invalid ${flag} ${JSON.stringify(value)}: expected a calendar date YYYY-MM-DD (IST)`);
  return value;
}

/** Write an output file (0600); a path that cannot be written is a usage error. */
export function writeOutput(file: string, text: string, what: string): void {
  try {
    fs.writeFileSync(file, text, { mode: 0o600 });
  } catch (err) {
    throw new UsageError(`cannot write the ${what} file ${JSON.stringify(file)} (${(err as NodeJS.ErrnoException).code ?? 'error'}): expected a writable path`);
  }
}
