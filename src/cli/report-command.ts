import fs from 'node:fs';
import { checkDate, UsageError, writeOutput } from './usage.js';
import { ConfigError, resolveConfig, type RawSources } from '../config/resolve.js';
import { istParts } from '../time/ist.js';
import { journalPath, openJournal } from '../journal/db.js';
import { JournalVersionError } from '../journal/migrations.js';
import type { DayRange } from '../journal/reads.js';
import { renderCsv } from '../journal/report-csv.js';
import { renderHtml } from '../journal/report-html.js';
import { reportJson } from '../journal/report-json.js';
import { buildReport, type ReportData } from '../journal/report-model.js';
import { renderTextReport } from '../journal/report-text.js';
import type { Mode } from '../store/types.js';
import type { Io } from './config-command.js';
import { EXIT } from './exit-codes.js';

// `random-scalp report [--today | --date D | --from D --to D] [--paper | --live] [--csv FILE]
// [--json] [--html FILE] [--state-dir DIR]`: the journal's round trips, per IST day and in total.

export interface ReportFlags {
  today?: boolean;
  date?: string;
  from?: string;
  to?: string;
  paper?: boolean;
  live?: boolean;
  csv?: string;
  json?: boolean;
  html?: string;
  stateDir?: string;
}

export interface ReportEnv {
  now: number;
  /** Terminal width for the equity curve. */
  columns: number;
}



/** The days asked for, and how to name them. */
export function rangeOf(flags: ReportFlags, today: string): { range: DayRange; label: string } {
  const chosen = [flags.today ? '--today' : null, flags.date !== undefined ? '--date' : null, flags.from !== undefined || flags.to !== undefined ? '--from/--to' : null].filter(
    (x): x is string => x !== null,
  );
  if (chosen.length > 1) throw new UsageError(`${chosen.join(' and ')} exclude each other: choose one of --today, --date D, --from D --to D`);
  if (flags.today) return { range: { from: today, to: today }, label: `today ${today}` };
  if (flags.date !== undefined) {
    const d = checkDate('--date', flags.date);
    return { range: { from: d, to: d }, label: d };
  }
  if (flags.from !== undefined || flags.to !== undefined) {
    const from = flags.from !== undefined ? checkDate('--from', flags.from) : undefined;
    const to = flags.to !== undefined ? checkDate('--to', flags.to) : undefined;
    if (from && to && from > to) throw new UsageError(`invalid --from ${JSON.stringify(from)}: expected a date on or before --to (${to})`);
    return { range: { ...(from ? { from } : {}), ...(to ? { to } : {}) }, label: `${from ?? 'first day'} … ${to ?? 'last day'}` };
  }
  return { range: {}, label: 'all days' };
}


export function reportCommand(flags: ReportFlags, io: Io, sources: RawSources, env: ReportEnv): number {
  const fail = (message: string): number => {
    io.err(`random-scalp report: ${message}`);
    return EXIT.CONFIG;
  };
  try {
    if (flags.paper && flags.live) throw new UsageError('--paper and --live exclude each other: choose one');
    const { range, label } = rangeOf(flags, istParts(env.now).day);
    const modeFlag: Mode | undefined = flags.paper ? 'paper' : flags.live ? 'live' : undefined;
    const resolved = resolveConfig(
      { ...sources, flags: { ...sources.flags, ...(flags.stateDir !== undefined ? { STATE_DIR: flags.stateDir } : {}) }, ...(modeFlag ? { modeFlag } : {}) },
      { forStart: false },
    );
    const mode = resolved.mode;
    const file = journalPath(resolved.config.STATE_DIR, mode);
    // Scripts get JSON on stdout; everything else said goes where it does not mix with it.
    const say = flags.json ? io.err : io.out;
    if (!fs.existsSync(file)) {
      say(`no trades: there is no ${mode} journal at ${file} yet (the bot writes it while it trades${mode === 'paper' ? '; --live reads the live one' : ''})`);
      return EXIT.OK;
    }
    const db = openJournal(file, { now: env.now });
    let data: ReportData;
    try {
      data = buildReport(db, { mode, journalPath: file, range, rangeLabel: label });
    } finally {
      db.close();
    }
    if (flags.json) io.out(JSON.stringify(reportJson(data), null, 2));
    else if (data.trades.length === 0) say(`no trades in ${label} (IST) in the ${mode} journal ${file}${data.sessions.length > 0 ? ` (${data.sessions.length} session${data.sessions.length === 1 ? '' : 's'} ran without closing a round trip)` : ''}`);
    else io.out(renderTextReport(data, { width: env.columns }));
    if (flags.csv !== undefined) {
      writeOutput(flags.csv, renderCsv(data), 'CSV');
      say(`wrote ${flags.csv}: ${data.trades.length} round trip${data.trades.length === 1 ? '' : 's'}, one per row`);
    }
    if (flags.html !== undefined) {
      writeOutput(flags.html, renderHtml(data, env.now), 'HTML');
      say(`wrote ${flags.html}`);
    }
    return EXIT.OK;
  } catch (err) {
    if (err instanceof UsageError || err instanceof ConfigError || err instanceof JournalVersionError) return fail(err.message);
    if (err instanceof Error && (err as { code?: unknown }).code !== undefined && String((err as { code?: unknown }).code).startsWith('SQLITE_')) {
      return fail(`cannot read the journal (${String((err as { code?: unknown }).code)}: ${err.message})`);
    }
    throw err;
  }
}
