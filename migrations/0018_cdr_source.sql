-- Narrower duplicate keys: a key names its feed (the --source: `broadworks`, `residential-switch`)
-- by a 4-byte id, the name's FNV-1a hash (as tariff versions, 0014: whoever writes keys computes it
-- without a lookup; the names are recorded before keys that use them are written, a collision
-- refused), instead of its text in every key and in the key's index; and the record id is compared
-- bytewise (collation "C": equality is the same, the index is cheaper to keep). The hash is 0014's
-- function (fnv1a in src/store/fnv1a.ts), defined again for this conversion: 0014 dropped it, and a
-- migration, once applied somewhere, is not edited.

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

CREATE TABLE cdr_source (
  id    integer PRIMARY KEY,
  label text NOT NULL UNIQUE
);
INSERT INTO cdr_source (id, label) SELECT cdrbill_fnv1a(source), source FROM (SELECT DISTINCT source FROM cdr_key) s;

ALTER TABLE cdr_key RENAME TO cdr_key_before_0018;
CREATE TABLE cdr_key (
  source_id   integer NOT NULL,
  record_id   text COLLATE "C" NOT NULL,
  fingerprint integer NOT NULL
);
INSERT INTO cdr_key (source_id, record_id, fingerprint)
SELECT s.id, k.record_id, k.fingerprint FROM cdr_key_before_0018 k JOIN cdr_source s ON s.label = k.source;
DROP TABLE cdr_key_before_0018;
ALTER TABLE cdr_key ADD PRIMARY KEY (source_id, record_id);
DROP FUNCTION cdrbill_fnv1a(text);
