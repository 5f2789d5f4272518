/** The portal's tokens: stored as SHA-256 hashes, looked up by hash, revoked by id. */
import type { Database } from './database.js';
import type { ApiTokenRow } from './schema.js';

export type TokenScope = { readonly kind: 'account' | 'enterprise'; readonly id: string } | { readonly kind: 'operator' };

export async function insertToken(db: Database['db'], row: { id: string; hash: string; scope: TokenScope; label: string; createdAt: Date }): Promise<void> {
  await db
    .insertInto('api_token')
    .values({
      id: row.id,
      hash: row.hash,
      scope: row.scope.kind,
      scope_id: row.scope.kind === 'operator' ? null : row.scope.id,
      label: row.label,
      created_at: row.createdAt,
    })
    .execute();
}

/** The scope of the live token with this hash, or undefined. */
export async function scopeOfToken(db: Database['db'], hash: string): Promise<TokenScope | undefined> {
  const row = await db.selectFrom('api_token').select(['scope', 'scope_id']).where('hash', '=', hash).where('revoked_at', 'is', null).executeTakeFirst();
  if (!row) return undefined;
  return row.scope === 'operator' ? { kind: 'operator' } : { kind: row.scope, id: row.scope_id! };
}

/** Revokes a token by id; false when there is no live token with that id. */
export async function revokeToken(db: Database['db'], id: string, at: Date): Promise<boolean> {
  const result = await db.updateTable('api_token').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function listTokens(db: Database['db']): Promise<Pick<ApiTokenRow, 'id' | 'scope' | 'scope_id' | 'label' | 'created_at' | 'revoked_at'>[]> {
  return db.selectFrom('api_token').select(['id', 'scope', 'scope_id', 'label', 'created_at', 'revoked_at']).orderBy('created_at').orderBy('id').execute();
}
