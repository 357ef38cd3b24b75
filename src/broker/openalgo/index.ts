export { OpenAlgoClient, type OpenAlgoClientOptions, type CallInfo } from './client.js';
export { QuoteOnlySource, createQuoteOnlyClient, type QuoteSource } from './quote-only.js';
export { RateLimiter, type RateLimiterOptions } from './rate-limiter.js';
export { redact } from './redact.js';
export { OpenAlgoFeed, type OpenAlgoFeedOptions } from './feed-client.js';
