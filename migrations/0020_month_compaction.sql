-- A closed month's history rewritten in account order (`cdrbill compact`, and `nightly --close-month`
-- after invoicing): calls arrive in switch order, so an account's calls lie one to a heap page and a
-- page of 50 of them reads ~50 pages; rewritten in (account, start) order it reads two or three. One
-- row per month compacted: when, and how many calls it then had (calls stored later, late CDRs, are
-- appended after them in arrival order).
CREATE TABLE month_compaction (
  period       text PRIMARY KEY,
  compacted_at timestamptz NOT NULL,
  calls        bigint NOT NULL
);
