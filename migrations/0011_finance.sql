-- Finance: who sells (the seller file, each load kept), who buys (an account's billing details from
-- the customers file: address, VAT and KvK numbers, buyer reference, payment method, language, as
-- JSON), and the calls' real duration on the invoice's usage lines.
CREATE TABLE seller (
  id           serial PRIMARY KEY,
  content_hash text NOT NULL,
  details      text NOT NULL,
  loaded_at    timestamptz NOT NULL
);

ALTER TABLE account ADD COLUMN billing text NOT NULL DEFAULT '{}';

ALTER TABLE invoice_run_usage ADD COLUMN duration_seconds bigint NOT NULL DEFAULT 0;

-- The finance exports read documents by issue date.
CREATE INDEX invoice_issue_date ON invoice (issue_date, number);
