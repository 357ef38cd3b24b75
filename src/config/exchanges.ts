/** The exchanges OpenAlgo knows: EXCHANGE's values, and what a SYMBOLS entry's @EXCHANGE may name. */
export const EXCHANGES = ['NSE', 'NFO', 'CDS', 'BSE', 'BFO', 'BCD', 'MCX', 'NCDEX', 'NCO'] as const;
