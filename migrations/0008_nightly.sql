-- The nightly job: a report per run, months closed, reference data loaded, barring per line.
CREATE TABLE nightly_run (
  id          text PRIMARY KEY,
  started_at  timestamptz NOT NULL,
  finished_at timestamptz NOT NULL,
  exit_code   integer NOT NULL,
  report      text NOT NULL
);
CREATE INDEX nightly_run_started ON nightly_run (started_at);

-- A month invoiced by `nightly --close-month`: closed once.
CREATE TABLE month_close (
  period    text PRIMARY KEY,
  closed_at timestamptz NOT NULL,
  run_id    text NOT NULL
);

-- The content hash of the reference files last loaded (customers), to load them again only when changed.
CREATE TABLE reference_load (
  kind         text PRIMARY KEY,
  content_hash text NOT NULL,
  loaded_at    timestamptz NOT NULL
);

-- Categories a line has barred (premium, international, mobile, national): calls in them are alerts.
ALTER TABLE subscription ADD COLUMN barred text[] NOT NULL DEFAULT '{}';
