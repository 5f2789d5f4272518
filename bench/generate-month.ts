/**
 * A realistic month of synthetic traffic for benchmarks: ~10k accounts with residential lines in
 * many areas, mixed destinations, written as canonical CDR CSV. Deterministic (seeded).
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { CANONICAL_COLUMNS } from '../src/ingest/canonical-format.js';
import type { CustomerAccount } from '../src/billing/customer-file.js';

export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const AREAS = ['20', '10', '30', '70', '40', '50', '13', '15', '23', '24', '26', '35', '38', '43', '45', '53', '58', '71', '72', '73', '74', '75', '76', '77', '78', '79'];
const PLANS = ['basis', 'onbeperkt-nl', 'internationaal-discount'];

export interface BenchCustomers {
  readonly accounts: CustomerAccount[];
  readonly lines: string[];
}

export function makeCustomers(accountCount: number, random: () => number): BenchCustomers {
  const accounts: CustomerAccount[] = [];
  const lines: string[] = [];
  for (let i = 0; i < accountCount; i++) {
    const area = AREAS[i % AREAS.length]!;
    const number = `+31${area}${String(1000000 + i).slice(-7)}`;
    lines.push(number);
    accounts.push({
      id: `B-${String(i).padStart(6, '0')}`,
      name: `Bench ${i}`,
      segment: 'residential',
      lines: [{ number, plan: PLANS[Math.floor(random() * PLANS.length)]!, from: '2026-01-01' }],
    });
  }
  return { accounts, lines };
}

/** A dialled number as switches send them: local, national, mobile, international, service. */
export function makeDialled(random: () => number, line: string): string {
  const r = random();
  const n = (digits: number): string => String(Math.floor(random() * 10 ** digits)).padStart(digits, '0');
  if (r < 0.2) return `${2 + Math.floor(random() * 7)}${n(6)}`; // local (2-digit areas: 7 digits)
  if (r < 0.45) return `0${AREAS[Math.floor(random() * AREAS.length)]}${n(7)}`;
  if (r < 0.75) return `06${1 + Math.floor(random() * 5)}${n(7)}`;
  if (r < 0.85) return ['0032', '0049', '0044', '+44', '0033', '001', '0090', '00212'][Math.floor(random() * 8)]! + `${1 + Math.floor(random() * 8)}${n(8)}`;
  if (r < 0.9) return `0900${n(4)}`;
  if (r < 0.93) return `0800${n(4)}`;
  if (r < 0.95) return `085${n(7)}`;
  return ['112', '1233', '14020', '1888', `sip:+31${line.slice(3, 5)}${n(7)}@sbc.example.nl`][Math.floor(random() * 5)]!;
}

/** Writes `count` canonical CDRs for October 2026; returns the bytes written. */
export async function writeMonth(path: string, count: number, lines: readonly string[], random: () => number): Promise<void> {
  const out = createWriteStream(path);
  const start = Date.parse('2026-10-01T00:00:00+02:00');
  const span = Date.parse('2026-11-01T00:00:00+01:00') - start;
  let chunk = CANONICAL_COLUMNS.join(',') + '\n';
  for (let i = 0; i < count; i++) {
    const line = lines[Math.floor(random() * lines.length)]!;
    const at = new Date(start + Math.floor(random() * span)).toISOString().replace('.000Z', 'Z');
    const kind = random();
    const answered = kind < 0.08 ? '' : String(Math.floor(random() * random() * 1800));
    const incoming = kind > 0.9;
    chunk += `bench-${i},${at},${answered},${incoming ? '+31612345678' : line},${incoming ? line : makeDialled(random, line)},${incoming ? 'incoming' : 'outgoing'},${line},fixed,\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.write(chunk);
  out.end();
  await once(out, 'finish');
}
