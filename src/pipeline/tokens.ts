/**
 * The portal's bearer tokens: `cdrb_<id>_<secret>`, 32 random bytes of secret; only a SHA-256 hash
 * is stored, so a stolen database gives no token. Scoped to an account, an enterprise or the operator.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Database } from '../store/database.js';
import { enterpriseExists } from '../store/enterprise-store.js';
import { enterpriseAccounts } from '../store/history-store.js';
import { insertToken, revokeToken, scopeOfToken, type TokenScope } from '../store/token-store.js';
import { requireAccount } from './accounts.js';
import { InputError } from './input-error.js';

export type { TokenScope };

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

/** Creates a token for a scope that exists; returns it (shown once) and its id (for revoking). */
export async function createToken(database: Database, scope: TokenScope, label: string, now: Date): Promise<{ id: string; token: string }> {
  if (scope.kind === 'account') await requireAccount(database, scope.id);
  if (scope.kind === 'enterprise' && !(await enterpriseExists(database.db, scope.id))) throw new InputError(`no enterprise ${scope.id}`);
  const id = randomBytes(6).toString('hex');
  const token = `cdrb_${id}_${randomBytes(32).toString('base64url')}`;
  await insertToken(database.db, { id, hash: hashOf(token), scope, label, createdAt: now });
  return { id, token };
}

export async function revoke(database: Database, id: string, now: Date): Promise<void> {
  if (!(await revokeToken(database.db, id, now))) throw new InputError(`no live token ${id} (cdrbill token list shows them)`);
}

/** What a presented token may see, or undefined for an unknown or revoked one. */
export async function authenticate(database: Database, token: string): Promise<TokenScope | undefined> {
  if (!/^cdrb_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
  return scopeOfToken(database.db, hashOf(token));
}

/** Whether a scope may see an account. */
export async function canSeeAccount(database: Database, scope: TokenScope, accountId: string): Promise<boolean> {
  if (scope.kind === 'operator') return true;
  if (scope.kind === 'account') return scope.id === accountId;
  return (await enterpriseAccounts(database.db, scope.id)).includes(accountId);
}

export function canSeeEnterprise(scope: TokenScope, enterpriseId: string): boolean {
  return scope.kind === 'operator' || (scope.kind === 'enterprise' && scope.id === enterpriseId);
}
