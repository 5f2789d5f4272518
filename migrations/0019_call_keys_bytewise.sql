-- The history's keys compared bytewise (collation "C"), as call_total's (0015) and the duplicate
-- keys' (0018): the account in the history's index, and the feed and record id that order calls of
-- the same start (the history's pages, a rerate's keyset). Compared by the database's locale, every
-- step down the index on each call stored called the locale's comparison: with "C" PostgreSQL spent
-- 8.4-9.0 instead of 9.8-10.5 µs a CDR on the bench's month. Equality is the same; an order by account
-- id is by bytes (the same as the locale's for the ASCII ids accounts have, e.g. R-000123).
--
-- The view is dropped and created again as 0017 wrote it (it depends on the columns); the columns'
-- type is unchanged, so the calls are not rewritten, only the history's index rebuilt.

DROP VIEW rated_call;

ALTER TABLE call_record
  ALTER COLUMN account_id TYPE text COLLATE "C",
  ALTER COLUMN source TYPE text COLLATE "C",
  ALTER COLUMN record_id TYPE text COLLATE "C";

CREATE VIEW rated_call AS
SELECT r.account_id, r.started_at, r.source, r.record_id, r.line, p.plan_id, p.direction, p.device,
       r.calling_number, r.called_number, r.destination, p.category, p.subclass, p.country, r.forwarded_from,
       r.answered, r.answered_seconds, r.billed_seconds, p.setup_fee_ticks, r.list_price_ticks, r.charged_ticks,
       p.rate_match, p.rate_per_minute_micros, r.bands, p.allowance, r.covered_seconds, p.free_reason,
       r.file_id, r.line_no, r.invoice_number, r.setup_at, r.store_seq, p.tariff_version_id, r.profile_id
FROM call_record r JOIN call_profile p ON p.id = r.profile_id;
