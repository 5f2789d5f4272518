/**
 * Table types for kysely. `pg` and PGlite (as configured in database.ts) return int8 and numeric as
 * strings, dates as 'YYYY-MM-DD' strings and timestamptz as Date.
 */
import type { ColumnType, Generated } from 'kysely';

type Int8 = ColumnType<string, string | number | bigint, string | number | bigint>;
type Numeric = ColumnType<string, string, string>;
type DateText = ColumnType<string, string, string>;

export interface TariffSetRow {
  id: Generated<number>;
  content_hash: string;
  files: ColumnType<Record<string, string>, string, string>;
  loaded_at: Date;
}

export interface AccountRow {
  id: string;
  name: string;
  segment: 'residential' | 'business';
  /** the account's BillingDetails as JSON ('{}' when the customers file gave none) */
  billing: ColumnType<string, string | undefined, string>;
}

export interface SellerRow {
  id: Generated<number>;
  content_hash: string;
  details: string;
  loaded_at: Date;
}

export interface SubscriptionRow {
  account_id: string;
  line: string;
  plan_id: string;
  mobile_plan_id: string | null;
  pbx_id: ColumnType<string | null, string | null | undefined, string | null>;
  valid_from: DateText;
  valid_to: DateText | null;
  barred: ColumnType<string[], string[] | undefined, string[]>;
}

export interface IngestFileRow {
  id: Generated<number>;
  source: string;
  file_name: string;
  content_hash: string;
  ingested_at: Date;
  lines_read: number;
  rated: number;
  rejected: number;
  duplicates: number;
  skipped: number;
}

export interface CdrRejectRow {
  content_hash: string;
  line_no: number;
  file_name: string;
  source: string;
  file_id: number;
  format: string;
  reason: string;
  detail: string;
  raw: string;
  first_seen_at: Date;
}

/**
 * A stored call as the view rated_call gives it: the call (call_record) with what rating decided
 * that calls share (call_profile, migration 0017). Written through call_record.
 */
export interface RatedCallRow {
  account_id: string;
  started_at: Date;
  setup_at: Date | null;
  store_seq: number;
  source: string;
  record_id: string;
  line: string;
  plan_id: string;
  direction: 'outgoing' | 'incoming';
  device: 'fixed' | 'mobile';
  calling_number: string;
  called_number: string;
  destination: string | null;
  category: string | null;
  subclass: string | null;
  country: string | null;
  forwarded_from: string | null;
  answered: boolean;
  answered_seconds: number;
  billed_seconds: number;
  setup_fee_ticks: Int8;
  list_price_ticks: Int8;
  charged_ticks: Int8;
  /** tariff_version.id: the label's hash (tariff-version-store.ts) */
  tariff_version_id: number;
  rate_match: string;
  rate_per_minute_micros: Int8 | null;
  bands: string;
  allowance: string | null;
  covered_seconds: number;
  free_reason: string | null;
  file_id: number;
  line_no: number;
  invoice_number: string | null;
  /** call_profile.id */
  profile_id: Int8;
}

/** What rating decided that calls share: a stored call refers to it by id (call-profile-store.ts). */
export interface CallProfileRow {
  id: Int8;
  plan_id: string;
  direction: 'outgoing' | 'incoming';
  device: 'fixed' | 'mobile';
  category: string | null;
  subclass: string | null;
  country: string | null;
  tariff_version_id: number;
  rate_match: string;
  rate_per_minute_micros: Int8 | null;
  setup_fee_ticks: Int8;
  allowance: string | null;
  free_reason: string | null;
}

export interface InvoiceSequenceRow {
  year: number;
  last_number: number;
}

export interface InvoiceRow {
  number: string;
  account_id: string;
  period: string;
  kind: 'invoice' | 'credit_note' | 'corrective';
  issue_date: DateText;
  subtotal: Numeric;
  vat: Numeric;
  total: Numeric;
  document: string;
  refers_to: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface FairUseChargeRow {
  account_id: string;
  fair_use_group: string;
  window_start: string;
  window_end: string;
  calls: number;
  covered_seconds: Int8;
  amount_ticks: Int8;
  ratio: Numeric;
  applied_at: Date;
  invoice_number: string | null;
}

export interface EnterpriseRow {
  id: string;
  name: string;
}

export interface PbxRow {
  id: string;
  account_id: string;
  enterprise_id: string | null;
  name: string;
}

export interface PbxUserRow {
  pbx_id: string;
  user_id: string;
  name: string;
  number: string;
  extension: string | null;
  valid_from: DateText;
  valid_to: DateText | null;
}

export interface BillingItemRow {
  account_id: string;
  item_id: string;
  label: string;
  pbx_id: string | null;
  user_id: string | null;
  valid_from: DateText;
  valid_to: DateText | null;
}

export interface UsageClaimRow {
  account_id: string;
  before: Date;
  through_seq: number;
  prev_before: Date;
  prev_through_seq: number;
  invoice_number: string;
}

export interface CdrKeyRow {
  /** cdr_source.id: the feed's name's hash (hashed-labels.ts) */
  source_id: number;
  record_id: string;
  fingerprint: number;
}

export interface CdrSourceRow {
  id: number;
  label: string;
}

export interface NightlyRunRow {
  id: string;
  started_at: Date;
  finished_at: Date;
  exit_code: number;
  report: string;
}

export interface MonthCloseRow {
  period: string;
  closed_at: Date;
  run_id: string;
}

export interface MonthCompactionRow {
  period: string;
  compacted_at: Date;
  calls: Int8;
}

export interface ReferenceLoadRow {
  kind: string;
  content_hash: string;
  loaded_at: Date;
}

export interface ApiTokenRow {
  id: string;
  hash: string;
  scope: 'account' | 'enterprise' | 'operator';
  scope_id: string | null;
  label: string;
  created_at: Date;
  revoked_at: Date | null;
}

export interface TariffVersionRow {
  id: number;
  label: string;
}

export interface CallTotalRow {
  account_id: string;
  period: string;
  /** `incoming` for calls without a category */
  category: string;
  direction: 'outgoing' | 'incoming';
  answered: boolean;
  calls: Int8;
  seconds: Int8;
  list_price_ticks: Int8;
  charged_ticks: Int8;
}

export interface Schema {
  api_token: ApiTokenRow;
  seller: SellerRow;
  nightly_run: NightlyRunRow;
  month_close: MonthCloseRow;
  month_compaction: MonthCompactionRow;
  reference_load: ReferenceLoadRow;
  cdr_key: CdrKeyRow;
  cdr_source: CdrSourceRow;
  usage_claim: UsageClaimRow;
  enterprise: EnterpriseRow;
  pbx: PbxRow;
  pbx_user: PbxUserRow;
  billing_item: BillingItemRow;
  fair_use_charge: FairUseChargeRow;
  tariff_set: TariffSetRow;
  account: AccountRow;
  subscription: SubscriptionRow;
  ingest_file: IngestFileRow;
  cdr_reject: CdrRejectRow;
  rated_call: RatedCallRow;
  call_profile: CallProfileRow;
  call_total: CallTotalRow;
  tariff_version: TariffVersionRow;
  invoice_sequence: InvoiceSequenceRow;
  invoice: InvoiceRow;
}
