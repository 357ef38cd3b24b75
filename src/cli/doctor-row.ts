// One row of `random-scalp doctor`: what a check measured and, when it is not ok, what to do.

export type RowStatus = 'ok' | 'warn' | 'fail';

export interface DoctorRow {
  check: string;
  status: RowStatus;
  /** What was measured or found. */
  figure: string;
  /** For a warn or fail: what to do. */
  advice?: string;
}
