-- The hosted PBX's structure: enterprises, PBXs (enterprise groups), their users, and the recurring
-- products each billing account pays for (licences, options, number blocks), all dated.

CREATE TABLE enterprise (
  id   text PRIMARY KEY,
  name text NOT NULL
);

CREATE TABLE pbx (
  id            text PRIMARY KEY,
  account_id    text NOT NULL REFERENCES account (id),
  enterprise_id text REFERENCES enterprise (id),
  name          text NOT NULL
);

CREATE TABLE pbx_user (
  pbx_id     text NOT NULL REFERENCES pbx (id),
  user_id    text NOT NULL,
  name       text NOT NULL,
  number     text NOT NULL,
  extension  text,
  valid_from date NOT NULL,
  valid_to   date,
  PRIMARY KEY (pbx_id, user_id)
);

-- the PBX a line belongs to (its extensions and its enterprise's numbers are on-net)
ALTER TABLE subscription ADD COLUMN pbx_id text REFERENCES pbx (id);

CREATE TABLE billing_item (
  account_id text NOT NULL REFERENCES account (id),
  item_id    text NOT NULL,
  label      text NOT NULL,
  pbx_id     text,
  user_id    text,
  valid_from date NOT NULL,
  valid_to   date,
  CHECK (valid_to IS NULL OR valid_to > valid_from)
);
CREATE INDEX billing_item_account ON billing_item (account_id);
