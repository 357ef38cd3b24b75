// The paper broker: a simulated market, an in-process Broker on it, and the same over HTTP.

export { mulberry32, deriveSeed, textStream, type Rng } from './rng.js';
export { PaperMarket, type PaperMarketOptions, type PriceEvent, type MarketState, type QuoteSource } from './market.js';
export {
  DEFAULT_FAULTS,
  FAULT_HELP,
  FAULT_NAMES,
  describeFaults,
  parseFaults,
  resolveFaults,
  type FaultConfig,
  type FaultName,
} from './faults.js';
export type { BrokerCallName, FaultMatch, OnceFault } from './fault-plan.js';
export {
  PaperBroker,
  type PaperBrokerOptions,
  type PaperFill,
  type PaperFunds,
  type ReceivedCancel,
  type ReceivedModify,
  type ReceivedOrder,
  type OrderOutcome,
  type SubmitResult,
} from './paper-broker.js';
export {
  createDefaultPaperSetup,
  paperInstrument,
  DEFAULT_PAPER_SYMBOL,
  DEFAULT_PAPER_EXCHANGE,
  DEFAULT_PAPER_FAULTS,
  type DefaultPaperSetupOptions,
  type PaperSetup,
} from './setup.js';
export { startPaperServer, paperServerMain, type PaperServer, type PaperServerOptions, type PaperServerMainOptions } from './server.js';
