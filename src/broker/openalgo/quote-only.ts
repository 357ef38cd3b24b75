// For --paper --live-data: the paper broker takes live quotes from OpenAlgo and must be
// unable to reach anything else (no order can leave by mistake).

import type { Quote } from '../types.js';
import { OpenAlgoClient, type OpenAlgoClientOptions } from './client.js';

export interface QuoteSource {
  quote(symbol: string, exchange: string): Promise<Quote>;
}

export class QuoteOnlySource implements QuoteSource {
  // An ES private field: not reachable from outside, even through a cast.
  readonly #client: OpenAlgoClient;

  constructor(client: OpenAlgoClient) {
    this.#client = client;
  }

  quote(symbol: string, exchange: string): Promise<Quote> {
    return this.#client.quote(symbol, exchange);
  }
}

export function createQuoteOnlyClient(opts: OpenAlgoClientOptions): QuoteOnlySource {
  return new QuoteOnlySource(new OpenAlgoClient(opts));
}
