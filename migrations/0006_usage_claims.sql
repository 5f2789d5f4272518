-- Month end at operator scale: an invoice claims its calls with one row, not by writing every call.
--
-- store_seq: the storing transaction of a call, from the ingest_file id sequence (the ingest file's
-- id, or a fresh value for a retry of rejects). Rows stored before this migration get 0.
--
-- usage_claim: an invoice takes, for its account, the calls that started before `before` and were
-- stored up to `through_seq`, that the account's previous claim (prev_before, prev_through_seq) did
-- not take. An account's claims only grow in both (a period is invoiced after the one before it, and
-- the watermark only rises), so each call is on exactly one invoice: the first claim that covers it.
-- A call stored later for a month already invoiced (late usage) is above that claim's watermark and
-- goes on the next invoice. rated_call.invoice_number stays for calls claimed the old way.
ALTER TABLE rated_call ADD COLUMN store_seq integer NOT NULL DEFAULT 0;

CREATE TABLE usage_claim (
  account_id       text NOT NULL,
  before           timestamptz NOT NULL,
  through_seq      integer NOT NULL,
  prev_before      timestamptz NOT NULL,
  prev_through_seq integer NOT NULL,
  invoice_number   text NOT NULL REFERENCES invoice (number),
  PRIMARY KEY (account_id, before),
  CHECK (before > prev_before AND through_seq >= prev_through_seq)
);
CREATE UNIQUE INDEX usage_claim_invoice ON usage_claim (invoice_number);

-- Working table of the invoice run (one run at a time holds the invoice-run lock): the usage it
-- takes, per account, line, month and category, aggregated in one pass over the history, then read
-- a range of accounts at a time.
CREATE UNLOGGED TABLE invoice_run_usage (
  account_id       text NOT NULL,
  line             text NOT NULL,
  period           text NOT NULL,
  category         text,
  calls            bigint NOT NULL,
  billed_seconds   bigint NOT NULL,
  list_price_ticks numeric NOT NULL,
  charged_ticks    numeric NOT NULL,
  covered_calls    bigint NOT NULL,
  covered_seconds  bigint NOT NULL,
  bundle_seconds   bigint NOT NULL
);
CREATE INDEX invoice_run_usage_account ON invoice_run_usage (account_id);
