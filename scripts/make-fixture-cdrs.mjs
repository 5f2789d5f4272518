#!/usr/bin/env node
// Writes the demo's canonical CDR files for October 2026 (fixtures/cdrs/). Deterministic: a seeded
// generator, so re-running it gives the same files. Usage: node scripts/make-fixture-cdrs.mjs
import { mkdirSync, writeFileSync } from 'node:fs';

let seed = 20261001;
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};
const pick = (list) => list[Math.floor(random() * list.length)];

const lines = [
  { line: '+31201234567', from: 1 }, // R-1001 Amsterdam, basis
  { line: '+31104567890', from: 1 }, // R-1002 Rotterdam, onbeperkt-nl
  { line: '+31302345678', from: 1 }, // R-1003 Utrecht, internationaal-discount
  { line: '+31118123456', from: 10 }, // R-1004 Middelburg, basis from the 10th
  { line: '+31501234567', from: 1 }, // R-1005 Groningen, basis then onbeperkt-nl from the 16th
];
const mobile = () => `06${pick(['1', '2', '3', '4', '5', '8'])}${String(1000000 + Math.floor(random() * 8999999))}`;
let caller = '';
const destinations = [
  // local, without area code: 7 digits after a 2-digit area code, 6 after a 3-digit one (0118)
  () => String(2000000 + Math.floor(random() * 7999999)).slice(0, caller.startsWith('+31118') ? 6 : 7),
  () => `0${pick(['20', '10', '30', '40', '70', '50'])}${String(1000000 + Math.floor(random() * 8999999))}`,
  mobile,
  mobile,
  () => `004420${String(10000000 + Math.floor(random() * 89999999))}`,
  () => `+447700${String(100000 + Math.floor(random() * 899999))}`,
  () => `00322${String(1000000 + Math.floor(random() * 8999999))}`,
  () => `002125${String(10000000 + Math.floor(random() * 89999999))}`,
  () => `0900${String(1000 + Math.floor(random() * 8999))}`,
  () => `08000${String(100 + Math.floor(random() * 899))}`,
  () => `0858${String(100000 + Math.floor(random() * 899999))}`,
  () => pick(['112', '1233', '14020', '1888']),
];

const header = 'record_id,started_at,answered_seconds,calling_number,called_number,direction,billed_line,device,forwarded_from';
const pad = (n) => String(n).padStart(2, '0');
// October 2026: CEST (+02:00) until Sunday 25 October 03:00, then CET (+01:00).
const offsetFor = (day, hour) => (day < 25 || (day === 25 && hour < 2) ? '+02:00' : '+01:00');

function makeFile(name, firstDay, lastDay, count) {
  const rows = [header];
  for (let i = 0; i < count; i++) {
    const who = pick(lines);
    caller = who.line;
    const day = firstDay + Math.floor(random() * (lastDay - firstDay + 1));
    if (day < who.from) continue;
    const hour = 6 + Math.floor(random() * 17);
    const started = `2026-10-${pad(day)}T${pad(hour)}:${pad(Math.floor(random() * 60))}:${pad(Math.floor(random() * 60))}${offsetFor(day, hour)}`;
    const kind = random();
    const id = `${name}-${String(i + 1).padStart(4, '0')}`;
    if (kind < 0.08) {
      rows.push([id, started, '', who.line, pick(destinations)(), 'outgoing', who.line, 'fixed', ''].join(',')); // unanswered
    } else if (kind < 0.18) {
      rows.push([id, started, String(20 + Math.floor(random() * 600)), `+3165${String(1000000 + i)}`, who.line, 'incoming', who.line, 'fixed', ''].join(','));
    } else if (kind < 0.22) {
      // a forwarded leg: someone called this line, which forwarded the call to a mobile or a fixed number
      const target = pick(['0612345678', '0207654321']);
      rows.push([id, started, String(30 + Math.floor(random() * 300)), '+31401112233', target, 'outgoing', who.line, 'fixed', who.line].join(','));
    } else {
      const dest = pick(destinations)();
      const seconds = dest === '112' ? 95 : Math.floor(random() * random() * 1800);
      rows.push([id, started, String(seconds), who.line, dest, 'outgoing', who.line, 'fixed', ''].join(','));
    }
  }
  mkdirSync('fixtures/cdrs', { recursive: true });
  writeFileSync(`fixtures/cdrs/${name}.csv`, `${rows.join('\n')}\n`);
  return rows.length - 1;
}

console.log(makeFile('xms-2026-10-a', 1, 15, 140), makeFile('xms-2026-10-b', 16, 31, 160));
