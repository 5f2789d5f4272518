-- Switch calls are rated from their answer moment (started_at); the setup (dial) time is kept beside
-- it. NULL where the record does not say (the canonical format) and on rows stored before this
-- migration, whose started_at is the setup time (see the README: correcting a month rated that way).
ALTER TABLE rated_call ADD COLUMN setup_at timestamptz;
