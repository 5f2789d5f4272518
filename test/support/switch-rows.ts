/** Builders for switch CDR rows in our own fixtures (Dutch numbers), by field name. */

/** A BroadWorks Normal record of 197 columns, fields given by their 1-based column number. */
export function broadworksRow(values: Record<number, string>, columns = 197): string {
  const fields = new Array<string>(columns).fill('');
  for (const [column, value] of Object.entries(values)) fields[Number(column) - 1] = value;
  return fields.join(',');
}

export interface BwCall {
  id: string;
  user: string;
  direction: 'Originating' | 'Terminating';
  calling: string;
  called: string;
  translated?: string;
  start: string; // YYYYMMDDhhmmss.mmm
  zone?: string; // D±hhmmss
  answer?: string;
  release: string;
  answered?: 'Yes' | 'No' | 'Yes-PostRedirection';
  redirecting?: string;
  relatedReason?: string;
  userId?: string;
  locationType?: string;
}

export function bwCall(c: BwCall): string {
  return broadworksRow({
    1: c.id,
    2: 'xms_sp',
    3: 'Normal',
    4: c.user,
    5: c.user,
    6: c.direction,
    7: c.calling,
    8: 'Public',
    9: c.called,
    10: c.start,
    11: c.zone ?? '1+020000',
    12: c.answered ?? (c.answer ? 'Yes' : 'No'),
    13: c.answer ?? '',
    14: c.release,
    15: '016',
    16: 'VoIP',
    18: c.direction === 'Originating' ? c.called : '',
    21: c.translated ?? '',
    23: 'local',
    39: c.redirecting ?? '',
    42: 'y',
    45: `${c.id}:0`,
    121: c.userId ?? `${c.user.slice(1)}@pbx.example.nl`,
    148: c.relatedReason ?? '',
    313: c.locationType ?? '',
  });
}
