-- Duplicates are CDRs whose (source, record id) was stored before, whatever their other fields (a
-- switch that re-sends a record with a corrected start time must not bill the call twice). The call
-- history is keyed for distribution by account and month, so the key of a CDR is kept apart, with a
-- fingerprint of what was stored (account, start, seconds, number) to report a re-sent record whose
-- fields differ.
CREATE TABLE cdr_key (
  source      text NOT NULL,
  record_id   text NOT NULL,
  fingerprint integer NOT NULL,
  PRIMARY KEY (source, record_id)
);
INSERT INTO cdr_key (source, record_id, fingerprint)
SELECT DISTINCT ON (source, record_id) source, record_id, 0 FROM rated_call ORDER BY source, record_id, started_at;
