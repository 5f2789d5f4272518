-- A month's totals per category come from call_total (0015), so the history's index on (account,
-- start) no longer carries the columns they were summed from (0013): 112 → ~50 bytes of index per
-- stored call, and less for an ingest to write. A date range's totals, or a number filter's, read
-- the calls' heap pages again; a page of calls reads them anyway.
CREATE INDEX rated_call_account_start ON rated_call (account_id, started_at);
DROP INDEX IF EXISTS rated_call_account_start_totals;
