/**
 * A realistic month of synthetic traffic for benchmarks: ~10k accounts (two thirds residential with
 * canonical CDRs, one third business PBX lines with BroadWorks CDRs), mixed destinations.
 * Deterministic (seeded).
 */
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { CANONICAL_COLUMNS } from '../src/ingest/canonical-format.js';
import type { CustomerAccount } from '../src/billing/customer-file.js';
import { composeIBAN } from 'ibantools';
import type { BillingDetails } from '../src/billing/parties.js';

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

const AREAS = [
  '20',
  '10',
  '30',
  '70',
  '40',
  '50',
  '13',
  '15',
  '23',
  '24',
  '26',
  '35',
  '38',
  '43',
  '45',
  '53',
  '58',
  '71',
  '72',
  '73',
  '74',
  '75',
  '76',
  '77',
  '78',
  '79',
];
const RESIDENTIAL = ['basis', 'onbeperkt-nl', 'internationaal-discount'];
const BUSINESS = ['hip-per-minuut', 'hip-onbeperkt'];

export interface BenchCustomers {
  readonly accounts: CustomerAccount[];
  /** all lines */
  readonly lines: string[];
  readonly residentialLines: string[];
  readonly businessLines: string[];
}

/** A checksum-valid Dutch test IBAN for a number. */
function testIban(n: number): string {
  return composeIBAN({ countryCode: 'NL', bban: `TEST${String(n).padStart(10, '0')}` })!;
}

/** Address, and for half of the accounts a direct-debit mandate; business accounts a KvK number and buyer reference. */
function billingDetails(id: string, i: number, business: boolean): BillingDetails {
  return {
    address: { street: `Benchstraat ${1 + (i % 250)}`, postalCode: `${1000 + (i % 9000)} AB`, city: 'Utrecht', country: 'NL' },
    ...(business ? { kvkNumber: String(40000000 + i), buyerReference: `PO-${id}` } : {}),
    payment: i % 2 === 0 ? { method: 'direct_debit', iban: testIban(i), mandateId: `M-${id}`, mandateSigned: '2025-12-01' } : { method: 'transfer' },
  };
}

export function makeCustomers(accountCount: number, random: () => number): BenchCustomers {
  const accounts: CustomerAccount[] = [];
  const residentialLines: string[] = [];
  const businessLines: string[] = [];
  for (let i = 0; i < accountCount; i++) {
    const area = AREAS[i % AREAS.length]!;
    const business = i % 3 === 0;
    const numbers = business ? [0, 1, 2].map((k) => `+31${area}${String(3000000 + i * 3 + k).slice(-7)}`) : [`+31${area}${String(1000000 + i).slice(-7)}`];
    (business ? businessLines : residentialLines).push(...numbers);
    const plans = business ? BUSINESS : RESIDENTIAL;
    const plan = plans[Math.floor(random() * plans.length)]!;
    const id = `${business ? 'B' : 'R'}-${String(i).padStart(6, '0')}`;
    accounts.push({
      id,
      name: `Bench ${i}`,
      segment: business ? 'business' : 'residential',
      lines: numbers.map((number) => ({ number, plan, from: '2026-01-01' })),
      billing: billingDetails(id, i, business),
    });
  }
  return { accounts, lines: [...residentialLines, ...businessLines], residentialLines, businessLines };
}

/** A dialled number as switches send them: local, national, mobile, international, service. */
export function makeDialled(random: () => number, line: string): string {
  const r = random();
  const n = (digits: number): string => String(Math.floor(random() * 10 ** digits)).padStart(digits, '0');
  if (r < 0.2) return `${2 + Math.floor(random() * 7)}${n(6)}`; // local (2-digit areas: 7 digits)
  if (r < 0.45) return `0${AREAS[Math.floor(random() * AREAS.length)]}${n(7)}`;
  if (r < 0.75) return `06${1 + Math.floor(random() * 5)}${n(7)}`;
  if (r < 0.85) return `${['0032', '0049', '0044', '+44', '0033', '001', '0090', '00212'][Math.floor(random() * 8)]!}${1 + Math.floor(random() * 8)}${n(8)}`;
  if (r < 0.9) return `0900${n(4)}`;
  if (r < 0.93) return `0800${n(4)}`;
  if (r < 0.95) return `085${n(7)}`;
  return ['112', '1233', '14020', '1888', `sip:+31${line.slice(3, 5)}${n(7)}@sbc.example.nl`][Math.floor(random() * 5)]!;
}

async function write(out: Writable, chunk: string): Promise<void> {
  if (!out.write(chunk)) await once(out, 'drain');
}

function bwTime(ms: number): string {
  // BroadWorks local time at +01:00/+02:00 (userTimeZone says which)
  return new Date(ms).toISOString().replace(/[-:T]/g, '').replace('Z', '').slice(0, 18);
}

/**
 * Writes `count` calls for October 2026: residential lines' calls as canonical CSV at `canonicalPath`,
 * business lines' as BroadWorks CSV at `broadworksPath`.
 */
export async function writeMonth(canonicalPath: string, broadworksPath: string, count: number, customers: BenchCustomers, random: () => number): Promise<void> {
  const canonical = createWriteStream(canonicalPath);
  const broadworks = createWriteStream(broadworksPath);
  const start = Date.parse('2026-10-01T00:00:00+02:00');
  const span = Date.parse('2026-11-01T00:00:00+01:00') - start;
  const dstEnd = Date.parse('2026-10-25T01:00:00Z');
  let c = `${CANONICAL_COLUMNS.join(',')}\n`;
  let b = 'version=22.0 encoding=ISO-8859-1\n';
  const empty = new Array<string>(197).fill('');
  const businessShare = customers.businessLines.length / customers.lines.length;
  for (let i = 0; i < count; i++) {
    const at = start + Math.floor(random() * span);
    const kind = random();
    const seconds = kind < 0.08 ? -1 : Math.floor(random() * random() * 1800);
    const incoming = kind > 0.9;
    if (random() < businessShare) {
      const line = customers.businessLines[Math.floor(random() * customers.businessLines.length)]!;
      const offset = at < dstEnd ? 120 : 60;
      const local = (ms: number) => bwTime(ms + offset * 60_000);
      const fields = empty.slice();
      fields[0] = `bw-${i}`;
      fields[1] = 'bench_sp';
      fields[2] = 'Normal';
      fields[3] = line;
      fields[4] = line;
      fields[5] = incoming ? 'Terminating' : 'Originating';
      fields[6] = incoming ? '+31612345678' : line;
      fields[7] = 'Public';
      fields[8] = incoming ? line : makeDialled(random, line);
      fields[9] = local(at);
      fields[10] = offset === 120 ? '1+020000' : '0+010000';
      fields[11] = seconds < 0 ? 'No' : 'Yes';
      fields[12] = seconds < 0 ? '' : local(at + 3000);
      fields[13] = local(at + 3000 + Math.max(0, seconds) * 1000);
      fields[14] = '016';
      fields[15] = 'VoIP';
      fields[41] = 'y';
      fields[120] = `${line.slice(1)}@pbx.example.nl`;
      b += `${fields.join(',')}\n`;
    } else {
      const line = customers.residentialLines[Math.floor(random() * customers.residentialLines.length)]!;
      const iso = new Date(at).toISOString().replace('.000Z', 'Z');
      c += `c-${i},${iso},${seconds < 0 ? '' : seconds},${incoming ? '+31612345678' : line},${incoming ? line : makeDialled(random, line)},${incoming ? 'incoming' : 'outgoing'},${line},fixed,\n`;
    }
    if (c.length > 1 << 20) {
      await write(canonical, c);
      c = '';
    }
    if (b.length > 1 << 20) {
      await write(broadworks, b);
      b = '';
    }
  }
  canonical.end(c);
  broadworks.end(b);
  await Promise.all([once(canonical, 'finish'), once(broadworks, 'finish')]);
}

/**
 * Splits a generated CDR file into `parts` files of about equal lines in `dir` (`<name>-<n>.csv`),
 * each starting with the file's first line (the canonical header, BroadWorks' version line).
 */
export function splitCdrFile(path: string, parts: number, dir: string, name: string): string[] {
  const [first, ...lines] = readFileSync(path, 'utf8').trimEnd().split('\n');
  const size = Math.ceil(lines.length / parts);
  const paths: string[] = [];
  for (let p = 0; p < parts; p++) {
    const part = join(dir, `${name}-${p + 1}.csv`);
    writeFileSync(part, `${[first, ...lines.slice(p * size, (p + 1) * size)].join('\n')}\n`);
    paths.push(part);
  }
  return paths;
}
