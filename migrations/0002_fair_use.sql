-- Fair-use charges: an operator's decision to bill the calls an unlimited option covered in a
-- window at regular rates, as one line on the customer's next invoice. One per customer and window.
CREATE TABLE fair_use_charge (
  account_id     text NOT NULL REFERENCES account (id),
  fair_use_group text NOT NULL,
  window_start   text NOT NULL,   -- first month, YYYY-MM
  window_end     text NOT NULL,   -- last month, YYYY-MM
  calls          integer NOT NULL,
  covered_seconds bigint NOT NULL,
  amount_ticks   bigint NOT NULL CHECK (amount_ticks >= 0),
  ratio          numeric(12, 4) NOT NULL,
  applied_at     timestamptz NOT NULL,
  invoice_number text,
  PRIMARY KEY (account_id, fair_use_group, window_start, window_end)
);
