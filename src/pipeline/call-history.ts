/**
 * An account's call history for a period, as the customer reads it: the one query behind
 * `cdrbill calls` (and the portal to come).
 */
import { amsterdamDateTime, formatDuration } from '../domain/amsterdam-time.js';
import { formatTicks } from '../domain/money.js';
import type { Period } from '../domain/period.js';
import { listCalls } from '../store/call-store.js';
import type { Database } from '../store/database.js';
import { requireAccount } from './accounts.js';

export interface CallRecord {
  /** Amsterdam date and time of the answer (of the setup for an unanswered attempt) */
  readonly date: string;
  readonly time: string;
  /** Amsterdam time the call was dialled, when the switch said */
  readonly setupTime: string | null;
  readonly line: string;
  readonly from: string;
  readonly to: string;
  readonly direction: 'outgoing' | 'incoming';
  readonly answered: boolean;
  readonly forwardedFrom: string | null;
  readonly device: 'fixed' | 'mobile';
  readonly durationSeconds: number;
  /** h:mm:ss */
  readonly duration: string;
  readonly category: string;
  /** euro, exact (up to 6 decimals) */
  readonly listPrice: string;
  readonly charged: string;
  readonly allowance: string | null;
  readonly tariffVersion: string;
  readonly rate: string;
}

/** The calls of an account in a period, oldest first; an unknown account is an input error. */
export async function callHistory(database: Database, accountId: string, period: Period): Promise<CallRecord[]> {
  await requireAccount(database, accountId);
  const rows = await listCalls(database, accountId, period);
  return rows.map((c) => {
    const at = amsterdamDateTime(c.started_at.getTime());
    return {
      date: at.date,
      time: at.time,
      setupTime: c.setup_at ? amsterdamDateTime(c.setup_at.getTime()).time : null,
      line: c.line,
      from: c.calling_number,
      to: c.destination ?? c.called_number,
      direction: c.direction,
      answered: c.answered,
      forwardedFrom: c.forwarded_from,
      device: c.device,
      durationSeconds: c.answered_seconds,
      duration: formatDuration(c.answered_seconds),
      category: c.category ?? 'incoming',
      listPrice: formatTicks(c.list_price_ticks),
      charged: formatTicks(c.charged_ticks),
      allowance: c.allowance,
      tariffVersion: c.tariff_version,
      rate: c.rate_match,
    };
  });
}
