import { describe, expect, it } from 'vitest';
import { broadworksRow, bwCall } from '../../test/support/switch-rows.js';
import { readAsteriskRow } from './asterisk-format.js';
import { parseBwTime, parseUserTimeZone, readBroadWorksRow } from './broadworks-format.js';
import { createCdrFormat, detectCdrFormat } from './cdr-format.js';
import { splitCsvRecord } from './csv-lines.js';
import { readFreeSwitchRow } from './freeswitch-format.js';

const BW = { zoneSource: 'user' as const, timeZone: 'Europe/Amsterdam' };
const bw = (line: string) => readBroadWorksRow(splitCsvRecord(line), 'broadworks', BW);

describe('BroadWorks', () => {
  it('skips the version line and interval markers', () => {
    expect(bw('version=22.0 encoding=ISO-8859-1')).toMatchObject({ kind: 'skip' });
    expect(bw('0000000001xms20261005100000.0001+020000,,Start')).toMatchObject({ kind: 'skip' });
    expect(bw('0000000009xms20261005101500.0001+020000,,End')).toMatchObject({ kind: 'skip' });
  });

  it('reads an answered Originating record: rated from the answer at the user zone, release − answer rounded up', () => {
    const row = bwCall({
      id: 'r1',
      user: '+31201110001',
      direction: 'Originating',
      calling: '+31201110001',
      called: '0612345678',
      translated: '+31612345678',
      start: '20261005101500.120',
      answer: '20261005101505.250',
      release: '20261005101605.251',
    });
    expect(bw(row)).toEqual({
      kind: 'cdr',
      cdr: {
        source: 'broadworks',
        recordId: 'r1',
        startedAtMs: Date.parse('2026-10-05T08:15:05.250Z'),
        setupAtMs: Date.parse('2026-10-05T08:15:00.120Z'),
        answered: true,
        answeredSeconds: 61,
        callingNumber: '+31201110001',
        calledNumber: '+31612345678',
        direction: 'outgoing',
        billedLine: '+31201110001',
        device: 'fixed',
        forwardedFrom: undefined,
      },
    });
  });

  it('reads the zone flag and offset', () => {
    expect(parseUserTimeZone('1+020000')).toBe(120);
    expect(parseUserTimeZone('0+010000')).toBe(60);
    expect(parseUserTimeZone('1-070000')).toBe(-420);
    expect(parseUserTimeZone('+0200')).toBeUndefined();
    expect(parseUserTimeZone('1+020000')).toBe(120); // again, after a bad one
  });

  it('reads times with 0 to 3 decimals of a second, and refuses anything else', () => {
    const utc = { zoneSource: 'user', timeZone: 'Europe/Amsterdam' } as const;
    const at = (text: string) => parseBwTime(text, utc, 60);
    expect(at('20261005091500')).toBe(Date.parse('2026-10-05T08:15:00.000Z'));
    expect(at('20261005091500.')).toBe(Date.parse('2026-10-05T08:15:00.000Z'));
    expect(at('20261005091500.1')).toBe(Date.parse('2026-10-05T08:15:00.100Z'));
    expect(at('20261005091500.12')).toBe(Date.parse('2026-10-05T08:15:00.120Z'));
    expect(at('20261005091500.123')).toBe(Date.parse('2026-10-05T08:15:00.123Z'));
    for (const bad of [
      '',
      '2026100509150',
      '20261005091500.1234',
      '20261005091500x123',
      '2026100509150a',
      '20261305091500',
      '20261005241500',
      '20261005096000',
      '-2026100509150',
    ]) {
      expect(at(bad), bad).toBeUndefined();
    }
  });

  it('reads times in the configured zone when told to', () => {
    const row = bwCall({
      id: 'z',
      user: '+31201110001',
      direction: 'Originating',
      calling: '+31201110001',
      called: '0201234567',
      start: '20261025023000.000',
      zone: 'garbage',
      release: '20261025023000.000',
    });
    expect(readBroadWorksRow(splitCsvRecord(row), 'bw', { zoneSource: 'fixed', timeZone: 'Europe/Amsterdam' })).toMatchObject({
      kind: 'cdr',
      cdr: { startedAtMs: Date.parse('2026-10-25T02:30:00+02:00'), answered: false },
    });
    expect(bw(row)).toMatchObject({ kind: 'reject', reason: 'bad_time' });
  });

  it('bills a forwarded leg to the forwarding user', () => {
    const row = bwCall({
      id: 'fw',
      user: '+31201110001',
      direction: 'Originating',
      calling: '+31101234567',
      called: '0612345678',
      translated: '+31612345678',
      start: '20261005101500.000',
      answer: '20261005101510.000',
      release: '20261005101610.000',
      redirecting: '+31201110001',
      relatedReason: 'Call Forward Always',
    });
    expect(bw(row)).toMatchObject({
      kind: 'cdr',
      cdr: { direction: 'outgoing', billedLine: '+31201110001', forwardedFrom: '+31201110001', answeredSeconds: 60 },
    });
  });

  it('reads a Terminating record as an incoming leg, unanswered when answered only after redirection', () => {
    const row = bwCall({
      id: 't',
      user: '+31201110001',
      direction: 'Terminating',
      calling: '+31101234567',
      called: '+31201110001',
      start: '20261005101500.000',
      answer: '20261005101510.000',
      release: '20261005101610.000',
      answered: 'Yes-PostRedirection',
    });
    expect(bw(row)).toMatchObject({ kind: 'cdr', cdr: { direction: 'incoming', answered: false, answeredSeconds: 0, billedLine: '+31201110001' } });
  });

  it('rejects partial and damaged records with reasons', () => {
    expect(bw(broadworksRow({ 1: 'x', 3: 'Long Duration' }))).toMatchObject({ kind: 'reject', reason: 'unsupported_record' });
    expect(bw(broadworksRow({ 1: 'x', 3: 'Normal' }, 20))).toMatchObject({ kind: 'reject', reason: 'wrong_column_count' });
    const damaged = bwCall({
      id: 'd',
      user: '+31201110001',
      direction: 'Originating',
      calling: '+31201110001',
      called: '0201234567',
      start: '20261005101500.000',
      release: '20261005101500.000',
    }).split(',');
    damaged.splice(60, 1); // one column lost in the middle: userId moves to #120
    expect(bw(damaged.join(','))).toMatchObject({ kind: 'reject', reason: 'damaged_record' });
    const backwards = bwCall({
      id: 'b',
      user: '+31201110001',
      direction: 'Originating',
      calling: '+31201110001',
      called: '0201234567',
      start: '20261005101500.000',
      answer: '20261005101600.000',
      release: '20261005101500.000',
    });
    expect(bw(backwards)).toMatchObject({ kind: 'reject', reason: 'bad_duration' });
  });

  it('takes the device from the location type', () => {
    const row = bwCall({
      id: 'm',
      user: '+31201110002',
      direction: 'Originating',
      calling: '+31201110002',
      called: '0201234567',
      start: '20261005101500.000',
      answer: '20261005101501.000',
      release: '20261005101601.000',
      locationType: 'BroadWorks Mobility',
    });
    expect(bw(row)).toMatchObject({ kind: 'cdr', cdr: { device: 'mobile' } });
  });
});

describe('Asterisk', () => {
  const zone = { timeZone: 'Europe/Amsterdam' };
  const row21 =
    '"acc1","0201234567","0612345678","from-internal","""Jan"" <0201234567>","PJSIP/201-00000001","PJSIP/trunk-00000002","Dial","PJSIP/0612345678@trunk","2026-10-05 10:00:00","2026-10-05 10:00:05","2026-10-05 10:01:10",70,65,"ANSWERED","DOCUMENTATION","1759651200.12","","","1759651200.12",7';

  it('reads cdr_csv with newcdrcolumns: rated from answer (start kept), billsec, uniqueid:sequence', () => {
    expect(readAsteriskRow(splitCsvRecord(row21), 'asterisk', row21, zone)).toEqual({
      kind: 'cdr',
      cdr: {
        source: 'asterisk',
        recordId: '1759651200.12:7',
        startedAtMs: Date.parse('2026-10-05T08:00:05Z'),
        setupAtMs: Date.parse('2026-10-05T08:00:00Z'),
        answered: true,
        answeredSeconds: 65,
        callingNumber: '0201234567',
        calledNumber: '0612345678',
        direction: 'outgoing',
        billedLine: '+31201234567',
        device: 'fixed',
        forwardedFrom: undefined,
      },
    });
  });

  it('reads 16-column rows (no uniqueid) with the row as identity, unanswered with an empty answer', () => {
    const row =
      '"","0201234567","0101234567","from-internal","","SIP/201-1","","Dial","","2026-10-05 10:00:00",,"2026-10-05 10:00:30",30,0,"NO ANSWER","DOCUMENTATION"';
    const read = readAsteriskRow(splitCsvRecord(row), 'asterisk', row, zone);
    expect(read).toMatchObject({ kind: 'cdr', cdr: { answered: false, answeredSeconds: 0, recordId: expect.stringMatching(/^row:[0-9a-f]{40}$/) } });
  });

  it('treats calls from the PSTN context as incoming, skips Local/ legs, rejects a bad disposition', () => {
    const incoming = row21.replace('"from-internal"', '"from-pstn"');
    expect(readAsteriskRow(splitCsvRecord(incoming), 'a', incoming, zone)).toMatchObject({
      kind: 'cdr',
      cdr: { direction: 'incoming', billedLine: '+31612345678' },
    });
    const local = row21.replace('"PJSIP/201-00000001"', '"Local/201@from-internal-0001;2"');
    expect(readAsteriskRow(splitCsvRecord(local), 'a', local, zone)).toMatchObject({ kind: 'skip' });
    const odd = row21.replace('"ANSWERED"', '"MAYBE"');
    expect(readAsteriskRow(splitCsvRecord(odd), 'a', odd, zone)).toMatchObject({ kind: 'reject', reason: 'bad_value' });
  });

  it('reads the cdr_custom stock mapping (19 columns)', () => {
    const row =
      '"""Jan"" <201>","0201234567","0612345678","default","PJSIP/201-00000002","PJSIP/trunk-00000003","Dial","PJSIP/trunk","2026-10-05 10:00:00","2026-10-05 10:00:10","2026-10-05 10:00:40","40","30","ANSWERED","DOCUMENTATION","","1759651200.2","",2';
    expect(readAsteriskRow(splitCsvRecord(row), 'a', row, zone)).toMatchObject({
      kind: 'cdr',
      cdr: { recordId: '1759651200.2:2', answeredSeconds: 30, billedLine: '+31201234567' },
    });
  });
});

describe('FreeSWITCH example template', () => {
  const aLeg =
    '"Jan","0201234567","0612345678","default","2026-10-05 10:00:00","2026-10-05 10:00:04","2026-10-05 10:01:04","64","60","NORMAL_CLEARING","0a1b2c3d-0000-4000-8000-000000000001","","0201234567","PCMA","PCMA"';
  const bLeg =
    '"Jan","0201234567","0612345678","default","2026-10-05 10:00:00","2026-10-05 10:00:04","2026-10-05 10:01:04","64","60","NORMAL_CLEARING","0a1b2c3d-0000-4000-8000-000000000002","0a1b2c3d-0000-4000-8000-000000000001","","PCMA","PCMA"';

  it('reads an A-leg; with legs=ab skips the B-leg', () => {
    expect(readFreeSwitchRow(splitCsvRecord(aLeg), 'fs', { timeZone: 'Europe/Amsterdam', legs: 'ab' })).toMatchObject({
      kind: 'cdr',
      cdr: { recordId: '0a1b2c3d-0000-4000-8000-000000000001', answeredSeconds: 60, billedLine: '+31201234567', direction: 'outgoing' },
    });
    expect(readFreeSwitchRow(splitCsvRecord(bLeg), 'fs', { timeZone: 'Europe/Amsterdam', legs: 'ab' })).toMatchObject({ kind: 'skip' });
    expect(readFreeSwitchRow(splitCsvRecord(bLeg), 'fs', { timeZone: 'Europe/Amsterdam', legs: 'a' })).toMatchObject({ kind: 'cdr' });
  });

  it('rejects spreadsheet-mangled times', () => {
    const mangled = aLeg.replace('"2026-10-05 10:00:00"', '2026/10/5 10:00');
    expect(readFreeSwitchRow(splitCsvRecord(mangled), 'fs', { timeZone: 'Europe/Amsterdam', legs: 'a' })).toMatchObject({ kind: 'reject', reason: 'bad_time' });
  });
});

describe('detectCdrFormat', () => {
  it.each([
    ['record_id,started_at,answered_seconds,calling_number,called_number,direction,billed_line,device,forwarded_from', 'canonical'],
    ['version=22.0 encoding=ISO-8859-1', 'broadworks'],
    ['0000000001xms20261005100000.0001+020000,,Start', 'broadworks'],
    [
      '"","0201234567","0612345678","from-internal","","SIP/201-1","","Dial","","2026-10-05 10:00:00","2026-10-05 10:00:01","2026-10-05 10:00:30",30,29,"ANSWERED","DOCUMENTATION"',
      'asterisk',
    ],
    [
      '"Jan","0201234567","0612345678","default","2026-10-05 10:00:00","","2026-10-05 10:01:04","64","0","NO_ANSWER","0a1b2c3d-0000-4000-8000-000000000001","","","PCMA","PCMA"',
      'freeswitch',
    ],
  ])('%s → %s', (line, name) => {
    expect(detectCdrFormat(splitCsvRecord(line))?.name).toBe(name);
  });

  it('recognises nothing in an unrelated file', () => {
    expect(detectCdrFormat(['hello', 'world'])).toBeUndefined();
    expect(createCdrFormat('canonical').name).toBe('canonical');
  });
});
