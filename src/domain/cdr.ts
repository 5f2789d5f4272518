/**
 * The canonical call detail record every switch format is mapped to, and the rejects of ingest.
 */
export type Direction = 'outgoing' | 'incoming';
export type Device = 'fixed' | 'mobile';

export interface Cdr {
  /** the switch or feed the record came from; (source, recordId) identifies a CDR for duplicates */
  readonly source: string;
  readonly recordId: string;
  /**
   * The moment the call is rated from: the answer for an answered call (time band, month, tariff
   * and plan version, bundle order), the setup for an attempt that was not answered.
   */
  readonly startedAtMs: number;
  /** when the call was set up (dialled), if the record says; undefined when it is not known */
  readonly setupAtMs: number | undefined;
  readonly answered: boolean;
  /** answered (billable) seconds; 0 when not answered */
  readonly answeredSeconds: number;
  readonly callingNumber: string;
  /** the called number as dialled */
  readonly calledNumber: string;
  readonly direction: Direction;
  /** E.164 of the customer's line the call is billed to (the forwarding line for a forwarded leg) */
  readonly billedLine: string;
  readonly device: Device;
  /** E.164 of the line that forwarded this leg, if it is a forwarded leg (always present, for one object shape) */
  readonly forwardedFrom?: string | undefined;
}

/** Reason codes for CDR lines that cannot be rated. */
export const REJECT_REASONS = [
  'wrong_column_count',
  'missing_field',
  'bad_time',
  'bad_duration',
  'bad_value',
  'unsupported_record',
  'damaged_record',
  'invalid_number',
  'unknown_destination',
  'unknown_line',
  'no_tariff',
  'no_rate',
  'unreadable',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export interface Reject {
  readonly reason: RejectReason;
  readonly detail: string;
}

/** What reading one line of a CDR file gives. */
export type ReadResult =
  | { readonly kind: 'cdr'; readonly cdr: Cdr }
  | { readonly kind: 'skip'; readonly detail: string }
  | ({ readonly kind: 'reject' } & Reject);
