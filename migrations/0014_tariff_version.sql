-- Narrower calls, first step: the tariff version a call was priced under (`plan@from deck@from`,
-- ~40 bytes of text in every row) becomes a 4-byte reference to a row of tariff_version. Its id is
-- the label's FNV-1a hash (32 bits, as src/store/fnv1a.ts computes it over the label's characters),
-- so that a process writing calls needs no lookup; the labels of the tariff set in force are recorded
-- before an ingest, a rerate or a retry of rejects writes calls, and a collision is refused there.
-- The rows of an existing history are converted here (one pass over it).
CREATE FUNCTION cdrbill_fnv1a(t text) RETURNS integer LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  h bigint := 2166136261;
BEGIN
  FOR i IN 1 .. length(t) LOOP
    h := ((h # ascii(substr(t, i, 1))) * 16777619) % 4294967296;
  END LOOP;
  RETURN (CASE WHEN h >= 2147483648 THEN h - 4294967296 ELSE h END)::integer;
END
$$;

CREATE TABLE tariff_version (
  id    integer PRIMARY KEY,
  label text NOT NULL UNIQUE
);
INSERT INTO tariff_version (id, label)
SELECT cdrbill_fnv1a(label), label FROM (SELECT DISTINCT tariff_version AS label FROM rated_call) l;

ALTER TABLE rated_call ADD COLUMN tariff_version_id integer;
UPDATE rated_call SET tariff_version_id = cdrbill_fnv1a(tariff_version);
ALTER TABLE rated_call ALTER COLUMN tariff_version_id SET NOT NULL;
ALTER TABLE rated_call DROP COLUMN tariff_version;
DROP FUNCTION cdrbill_fnv1a(text);
