import type { RawSources } from '../config/resolve.js';
import type { Io } from './config-command.js';
import { runChecks, type DoctorRow, type RowStatus } from './doctor-checks.js';
import { EXIT } from './exit-codes.js';

// `random-scalp doctor [--json]`: is everything ready before money moves? One row per check,
// ok / warn / fail, each with what it measured and, when not ok, what to do. Exit 1 when any
// check fails, 0 otherwise (warnings are worth reading, not a reason to stop).

const MARK: Record<RowStatus, string> = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL' };

export async function doctorCommand(sources: RawSources, io: Io, opts: { json: boolean }): Promise<number> {
  const { rows, resolved } = await runChecks(sources);
  const count = (s: RowStatus): number => rows.filter((r) => r.status === s).length;
  const failed = count('fail') > 0;
  if (opts.json) {
    io.out(JSON.stringify({
      ok: !failed,
      mode: resolved?.mode ?? null,
      summary: { ok: count('ok'), warn: count('warn'), fail: count('fail') },
      rows,
      sources: resolved ? resolved.sourceOf : null,
    }, null, 2));
    return failed ? EXIT.CONFIG : EXIT.OK;
  }
  if (resolved) {
    const c = resolved.config;
    const where = resolved.mode === 'paper' ? 'the built-in paper market' : `OpenAlgo at ${c.OPENALGO_API_HOST}`;
    io.out(`random-scalp doctor: ${resolved.mode.toUpperCase()} ${c.SYMBOL ?? '(no SYMBOL)'}@${c.EXCHANGE} on ${where}`);
  }
  const width = Math.max(...rows.map((r) => r.check.length));
  for (const row of rows) io.out(formatRow(row, width));
  io.out(`${count('ok')} ok, ${count('warn')} warn, ${count('fail')} fail${failed ? ' — fix the FAIL rows before trading' : ''}`);
  return failed ? EXIT.CONFIG : EXIT.OK;
}

function formatRow(row: DoctorRow, width: number): string {
  const head = `${MARK[row.status]}  ${row.check.padEnd(width)}  ${row.figure}`;
  return row.advice ? `${head}\n${' '.repeat(width + 8)}→ ${row.advice}` : head;
}
