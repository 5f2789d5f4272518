/** The seller's details: every load kept, the latest in force; invoices carry a copy of it. */
import type { Seller } from '../billing/parties.js';
import type { Database } from './database.js';

/** Stores the seller's details unless they equal the latest; returns whether they were new. */
export async function storeSeller(database: Database, seller: Seller, contentHash: string, now: Date): Promise<boolean> {
  return database.session(async ({ db }) => {
    const latest = await db.selectFrom('seller').select('content_hash').orderBy('id', 'desc').limit(1).executeTakeFirst();
    if (latest?.content_hash === contentHash) return false;
    await db
      .insertInto('seller')
      .values({ content_hash: contentHash, details: JSON.stringify(seller), loaded_at: now })
      .execute();
    return true;
  });
}

/** The seller's details in force (the latest loaded), or undefined when none was loaded. */
export async function currentSeller(db: Database['db']): Promise<Seller | undefined> {
  const row = await db.selectFrom('seller').select('details').orderBy('id', 'desc').limit(1).executeTakeFirst();
  return row ? (JSON.parse(row.details) as Seller) : undefined;
}
