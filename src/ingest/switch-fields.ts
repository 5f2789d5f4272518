/**
 * Field readers shared by the switch formats.
 */
import { isRealDay, zonedLocalToUtcMs } from '../domain/zoned-time.js';

const LOCAL_TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/;

/** `YYYY-MM-DD HH:MM:SS[.fff]` in `zone` → UTC ms; undefined when malformed or impossible. */
export function parseLocalTime(text: string, zone: string): number | undefined {
  const m = LOCAL_TIME.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (!isRealDay(year, month, day) || hour > 23 || minute > 59 || second > 59) return undefined;
  const ms = m[7] ? Number(m[7].padEnd(3, '0').slice(0, 3)) : 0;
  return zonedLocalToUtcMs(zone, year, month, day, hour * 3600 + minute * 60 + second, ms);
}

/**
 * A switch's idea of a subscriber number as E.164 when it can be told (`+31…`, `0031…`, `0…`,
 * `31…` with 11 digits); otherwise the text as it is (an extension stays an extension).
 */
export function lineToE164(text: string): string {
  const t = text
    .trim()
    .replace(/^(?:sips?|tel):/i, '')
    .replace(/@.*$/, '');
  if (/^\+\d{7,15}$/.test(t)) return t;
  if (/^00[1-9]\d{6,14}$/.test(t)) return `+${t.slice(2)}`;
  if (/^0[1-9]\d{8}$/.test(t)) return `+31${t.slice(1)}`;
  if (/^31[1-9]\d{8}$/.test(t)) return `+${t}`;
  return t;
}

/** Unquoted whole seconds ≥ 0, or undefined. */
export function parseSeconds(text: string): number | undefined {
  return /^\d{1,9}$/.test(text.trim()) ? Number(text) : undefined;
}
