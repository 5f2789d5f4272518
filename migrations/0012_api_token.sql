-- The portal's bearer tokens: only a hash of each is kept. A token is scoped to one account, one
-- enterprise (its groups' accounts) or the operator (all).
CREATE TABLE api_token (
  id          text PRIMARY KEY,
  hash        text NOT NULL UNIQUE,
  scope       text NOT NULL CHECK (scope IN ('account', 'enterprise', 'operator')),
  scope_id    text,
  label       text NOT NULL DEFAULT '',
  created_at  timestamptz NOT NULL,
  revoked_at  timestamptz,
  CHECK ((scope = 'operator') = (scope_id IS NULL))
);
CREATE INDEX invoice_account ON invoice (account_id, number);
