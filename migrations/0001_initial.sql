-- cdrbill initial schema. Money on rated calls is in exact integer ticks (1/60 micro-euro, see
-- src/domain/money.ts); invoice amounts are numeric euros rounded to cents.

CREATE TABLE tariff_set (
  id           serial PRIMARY KEY,
  content_hash text NOT NULL,
  files        jsonb NOT NULL,
  loaded_at    timestamptz NOT NULL
);

CREATE TABLE account (
  id      text PRIMARY KEY,
  name    text NOT NULL,
  segment text NOT NULL CHECK (segment IN ('residential', 'business'))
);

-- A line (E.164 number) on a plan from valid_from (inclusive) to valid_to (exclusive, local dates).
-- mobile_plan_id: for a Vast-Mobiel user, the plan of calls made from the mobile device.
CREATE TABLE subscription (
  account_id     text NOT NULL REFERENCES account (id),
  line           text NOT NULL,
  plan_id        text NOT NULL,
  mobile_plan_id text,
  valid_from date NOT NULL,
  valid_to   date,
  PRIMARY KEY (account_id, line, valid_from),
  CHECK (valid_to IS NULL OR valid_to > valid_from)
);
CREATE INDEX subscription_line ON subscription (line);

CREATE TABLE ingest_file (
  id           serial PRIMARY KEY,
  source       text NOT NULL,
  file_name    text NOT NULL,
  content_hash text NOT NULL,
  ingested_at  timestamptz NOT NULL,
  lines_read   integer NOT NULL,
  rated        integer NOT NULL,
  rejected     integer NOT NULL,
  duplicates   integer NOT NULL,
  skipped      integer NOT NULL
);

-- A CDR line that could not be rated, once per (file content, line). Deleted when a retry rates it.
CREATE TABLE cdr_reject (
  content_hash  text NOT NULL,
  line_no       integer NOT NULL,
  file_name     text NOT NULL,
  source        text NOT NULL,
  file_id       integer NOT NULL,
  format        text NOT NULL,
  reason        text NOT NULL,
  detail        text NOT NULL,
  raw           text NOT NULL,
  first_seen_at timestamptz NOT NULL,
  PRIMARY KEY (content_hash, line_no)
);
CREATE INDEX cdr_reject_reason ON cdr_reject (reason);

-- Call history: one row per rated CDR, partitioned by month of the call's start.
CREATE TABLE rated_call (
  account_id       text NOT NULL,
  started_at       timestamptz NOT NULL,
  source           text NOT NULL,
  record_id        text NOT NULL,
  line             text NOT NULL,
  plan_id          text NOT NULL,
  direction        text NOT NULL CHECK (direction IN ('outgoing', 'incoming')),
  device           text NOT NULL CHECK (device IN ('fixed', 'mobile')),
  calling_number   text NOT NULL,
  called_number    text NOT NULL,
  destination      text,
  category         text,
  subclass         text,
  country          text,
  forwarded_from   text,
  answered         boolean NOT NULL,
  answered_seconds integer NOT NULL CHECK (answered_seconds >= 0),
  billed_seconds   integer NOT NULL CHECK (billed_seconds >= 0),
  setup_fee_ticks  bigint NOT NULL,
  list_price_ticks bigint NOT NULL CHECK (list_price_ticks >= 0),
  charged_ticks    bigint NOT NULL CHECK (charged_ticks >= 0),
  tariff_version   text NOT NULL,
  rate_match       text NOT NULL,
  rate_per_minute_micros bigint,
  bands            text NOT NULL,
  allowance        text,
  covered_seconds  integer NOT NULL DEFAULT 0,
  free_reason      text,
  file_id          integer NOT NULL,
  line_no          integer NOT NULL,
  invoice_number   text,
  PRIMARY KEY (account_id, started_at, source, record_id)
) PARTITION BY RANGE (started_at);

CREATE TABLE rated_call_default PARTITION OF rated_call DEFAULT;

CREATE TABLE invoice_sequence (
  year        integer PRIMARY KEY,
  last_number integer NOT NULL
);

CREATE TABLE invoice (
  number      text PRIMARY KEY,
  account_id  text NOT NULL REFERENCES account (id),
  period      text NOT NULL,
  kind        text NOT NULL CHECK (kind IN ('invoice', 'credit_note', 'corrective')),
  issue_date  date NOT NULL,
  subtotal    numeric(14, 2) NOT NULL,
  vat         numeric(14, 2) NOT NULL,
  total       numeric(14, 2) NOT NULL,
  document    text NOT NULL
);
CREATE UNIQUE INDEX invoice_one_per_period ON invoice (account_id, period) WHERE kind = 'invoice';

-- An issued invoice never changes: corrections are credit notes and new invoices.
CREATE FUNCTION invoice_is_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'invoice % is issued and cannot be changed', OLD.number;
END;
$$;
CREATE TRIGGER invoice_immutable BEFORE UPDATE OR DELETE ON invoice
  FOR EACH ROW EXECUTE FUNCTION invoice_is_immutable();
