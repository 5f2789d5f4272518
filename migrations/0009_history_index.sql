-- Duplicates are found by their key in cdr_key (0007): the call history needs no unique key of its
-- own. Its primary key (account, start, source, record id) was the widest index of the largest
-- table, maintained for every stored call; the history's queries (the invoice run, call history,
-- rerate pages, bundle allocation) find calls by account and start, and this index serves them.
ALTER TABLE rated_call DROP CONSTRAINT rated_call_pkey;
CREATE INDEX rated_call_account_start ON rated_call (account_id, started_at);
