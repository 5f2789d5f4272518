-- The nightly job reads the calls a run stored (alerts) by store_seq. Calls are appended in
-- store_seq order, so a block-range index finds them for a few kilobytes, not a scan of the history.
CREATE INDEX rated_call_store_seq ON rated_call USING brin (store_seq);
