-- Narrower calls: what rating decided about a call that many calls share (plan, direction, device,
-- destination category, subclass and country, tariff version, the rate matched and its price per
-- minute, setup fee, allowance, why it was free) is one row of call_profile, which a call refers to
-- by an 8-byte id instead of ~80 bytes of repeated text and numbers in every row.
--
-- The id is the first 52 bits of the MD5 of the profile's fields joined (call_profile_key and
-- call_profile_id below, and callProfileKey and callProfileIdOfKey in
-- src/store/call-profile-store.ts, which must agree), so that whoever writes calls (a
-- rating thread, a worker on another machine) computes it without a lookup; the profiles are recorded
-- before the calls that use them are written.
--
-- The calls are stored in call_record; rated_call is the view of a call with its profile, under the
-- names and in the order of the columns it had (and the profile's id), so that every query reads
-- calls as before.

CREATE FUNCTION call_profile_key(
  plan_id text, direction text, device text, category text, subclass text, country text, tariff_version_id integer,
  rate_match text, rate_per_minute_micros bigint, setup_fee_ticks bigint, allowance text, free_reason text
) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(plan_id, chr(30)) || chr(31) || coalesce(direction, chr(30)) || chr(31) || coalesce(device, chr(30)) || chr(31) ||
         coalesce(category, chr(30)) || chr(31) || coalesce(subclass, chr(30)) || chr(31) || coalesce(country, chr(30)) || chr(31) ||
         coalesce(tariff_version_id::text, chr(30)) || chr(31) || coalesce(rate_match, chr(30)) || chr(31) ||
         coalesce(rate_per_minute_micros::text, chr(30)) || chr(31) || coalesce(setup_fee_ticks::text, chr(30)) || chr(31) ||
         coalesce(allowance, chr(30)) || chr(31) || coalesce(free_reason, chr(30))
$$;

CREATE FUNCTION call_profile_id(
  plan_id text, direction text, device text, category text, subclass text, country text, tariff_version_id integer,
  rate_match text, rate_per_minute_micros bigint, setup_fee_ticks bigint, allowance text, free_reason text
) RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT ('x' || substr(md5(call_profile_key(plan_id, direction, device, category, subclass, country, tariff_version_id,
                                             rate_match, rate_per_minute_micros, setup_fee_ticks, allowance, free_reason)), 1, 13))::bit(52)::bigint
$$;

CREATE TABLE call_profile (
  id                     bigint PRIMARY KEY,
  plan_id                text NOT NULL,
  direction              text NOT NULL CHECK (direction IN ('outgoing', 'incoming')),
  device                 text NOT NULL CHECK (device IN ('fixed', 'mobile')),
  category               text,
  subclass               text,
  country                text,
  tariff_version_id      integer NOT NULL,
  rate_match             text NOT NULL,
  rate_per_minute_micros bigint,
  setup_fee_ticks        bigint NOT NULL,
  allowance              text,
  free_reason            text
);

INSERT INTO call_profile
SELECT DISTINCT call_profile_id(plan_id, direction, device, category, subclass, country, tariff_version_id,
                                rate_match, rate_per_minute_micros, setup_fee_ticks, allowance, free_reason),
       plan_id, direction, device, category, subclass, country, tariff_version_id,
       rate_match, rate_per_minute_micros, setup_fee_ticks, allowance, free_reason
FROM rated_call;

-- Fixed-width columns first, widest first, so that a row carries no alignment padding.
CREATE TABLE call_record (
  started_at       timestamptz NOT NULL,
  profile_id       bigint NOT NULL,
  list_price_ticks bigint NOT NULL CHECK (list_price_ticks >= 0),
  charged_ticks    bigint NOT NULL CHECK (charged_ticks >= 0),
  setup_at         timestamptz,
  answered_seconds integer NOT NULL CHECK (answered_seconds >= 0),
  billed_seconds   integer NOT NULL CHECK (billed_seconds >= 0),
  covered_seconds  integer NOT NULL DEFAULT 0,
  file_id          integer NOT NULL,
  line_no          integer NOT NULL,
  store_seq        integer NOT NULL,
  answered         boolean NOT NULL,
  account_id       text NOT NULL,
  source           text NOT NULL,
  record_id        text NOT NULL,
  line             text NOT NULL,
  calling_number   text NOT NULL,
  called_number    text NOT NULL,
  destination      text,
  forwarded_from   text,
  bands            text NOT NULL,
  invoice_number   text
) PARTITION BY RANGE (started_at);

-- the same monthly partitions, under the same names
ALTER TABLE rated_call RENAME TO rated_call_before_0017;
DO $$
DECLARE
  p record;
BEGIN
  FOR p IN
    SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) AS bound
    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = 'rated_call_before_0017'::regclass
  LOOP
    EXECUTE format('ALTER TABLE %I RENAME TO %I', p.relname, p.relname || '_before_0017');
    EXECUTE format('CREATE TABLE %I PARTITION OF call_record %s', p.relname, p.bound);
  END LOOP;
END
$$;

INSERT INTO call_record
SELECT started_at,
       call_profile_id(plan_id, direction, device, category, subclass, country, tariff_version_id,
                       rate_match, rate_per_minute_micros, setup_fee_ticks, allowance, free_reason),
       list_price_ticks, charged_ticks, setup_at, answered_seconds, billed_seconds, covered_seconds, file_id, line_no,
       store_seq, answered, account_id, source, record_id, line, calling_number, called_number, destination,
       forwarded_from, bands, invoice_number
FROM rated_call_before_0017;
DROP TABLE rated_call_before_0017;

CREATE INDEX call_record_account_start ON call_record (account_id, started_at);
CREATE INDEX call_record_store_seq ON call_record USING brin (store_seq);

CREATE VIEW rated_call AS
SELECT r.account_id, r.started_at, r.source, r.record_id, r.line, p.plan_id, p.direction, p.device,
       r.calling_number, r.called_number, r.destination, p.category, p.subclass, p.country, r.forwarded_from,
       r.answered, r.answered_seconds, r.billed_seconds, p.setup_fee_ticks, r.list_price_ticks, r.charged_ticks,
       p.rate_match, p.rate_per_minute_micros, r.bands, p.allowance, r.covered_seconds, p.free_reason,
       r.file_id, r.line_no, r.invoice_number, r.setup_at, r.store_seq, p.tariff_version_id, r.profile_id
FROM call_record r JOIN call_profile p ON p.id = r.profile_id;
