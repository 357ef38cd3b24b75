import path from 'node:path';
import type { MarketFeed } from '../broker/feed.js';
import type { Broker } from '../broker/types.js';
import type { TradedInstrument } from '../config/instruments.js';
import type { ResolvedConfig } from '../config/resolve.js';
import type { Engine } from '../engine/engine.js';
import type { GuardState } from '../engine/guard.js';
import type { Logger } from '../log/logger.js';
import { ResumeRequestFile } from '../engine/guard-resume.js';
import { MemoryStateFile } from '../engine/persistence.js';
import { createDeskStore, type DeskCommands, type DeskStore } from '../store/desk.js';
import type { Clock } from '../time/clock.js';
import { istParts } from '../time/ist.js';
import { accountGuardLimits, wireInstrument, type InstrumentRun } from './instrument-wiring.js';
import { AccountGuard, type AccountMember } from './account-guard.js';
import { AccountGuardFile, accountResumeFileName } from './account-guard-file.js';
import { FeedHub } from './feed-hub.js';
import { SharedReads } from './shared-reads.js';

// The desk: every instrument's run, wired to one broker. With one instrument it is exactly
// today's single run (the broker and feed as they are, no account guard); with several, they
// share one client (its rate limiter per route), one read of each of the account's books per
// poll, one WebSocket connection and the account's guard.

export interface DeskOptions {
  resolved: ResolvedConfig;
  traded: readonly TradedInstrument[];
  clock: Clock;
  broker: Broker;
  feed?: MarketFeed;
  headless: boolean;
  stdout: NodeJS.WriteStream;
  secrets: string[];
}

export interface Desk {
  runs: InstrumentRun[];
  store: DeskStore;
  commands: DeskCommands;
  account: AccountGuard | null;
  /** Several instruments: how many book reads the engines asked for and how many were sent. */
  shared: SharedReads | null;
}

export function assembleDesk(o: DeskOptions): Desk {
  const c = o.resolved.config;
  const several = o.traded.length > 1;
  const shared = several ? new SharedReads(o.broker, o.clock, undefined, o.traded.map(({ symbol, exchange }) => ({ symbol, exchange }))) : null;
  // A pushed order update is news no earlier book read shows: shared reads from before it end there.
  const hub = several && o.feed && shared ? new FeedHub(o.feed, o.traded.map(({ symbol, exchange }) => ({ symbol, exchange })), () => shared.orderNews()) : null;
  const store = createDeskStore([]);
  const keys = o.traded.map((t) => t.key);
  const mode = o.resolved.mode;
  const carried: string[] = [];
  const account = several
    ? new AccountGuard({
        limits: accountGuardLimits(c),
        clock: o.clock,
        stateFile: c.PERSIST_STATE
          ? new AccountGuardFile(c.STATE_DIR, mode, keys, () => istParts(o.clock.now()).day, (line) => carried.push(line))
          : new MemoryStateFile<GuardState>(),
        resumeRequests: c.PERSIST_STATE ? new ResumeRequestFile(path.join(c.STATE_DIR, accountResumeFileName(mode, keys))) : null,
        publish: (view) => store.getState().accountChanged(view),
      })
    : null;
  const runs = o.traded.map((instrument) => {
    const feed = hub ? hub.forInstrument(instrument.symbol, instrument.exchange) : o.feed;
    return wireInstrument({
      resolved: o.resolved,
      instrument,
      clock: o.clock,
      broker: shared ? shared.view() : o.broker,
      brokerLabel: o.broker.label,
      ...(feed ? { feed } : {}),
      headless: o.headless,
      stdout: o.stdout,
      secrets: o.secrets,
      desk: several ? { account } : null,
    });
  });
  store.setState({
    instruments: runs.map((r) => ({ key: r.instrument.key, symbol: r.instrument.symbol, exchange: r.instrument.exchange, store: r.store, commands: r.engine })),
  });
  for (const r of runs) {
    account?.join(accountMember(r.instrument.key, r.engine, r.log));
    for (const line of carried) r.log.info('GUARD', line);
  }
  const commands: DeskCommands = {
    flattenAll: () => {
      for (const r of runs) r.engine.flatten();
    },
    setPausedAll: (paused) => {
      for (const r of runs) if (r.store.getState().paused !== paused) r.engine.togglePause();
    },
    quit: () => {
      for (const r of runs) r.engine.quit();
    },
  };
  return { runs, store, commands, account, shared };
}

/** One instrument's engine as a member of the account guard (the desk's wiring; the property days use it too). */
export function accountMember(key: string, engine: Engine, log: Logger): AccountMember {
  return {
    key,
    figures: () => engine.dayFigures(),
    trades: () => engine.state.trades,
    tradeInProgress: () => engine.tradeInProgress(),
    flatten: () => engine.flattenForAccount(),
    holdChanged: () => engine.refreshEntriesHeld(),
    log,
    emit: (event) => engine.announce(event),
  };
}
