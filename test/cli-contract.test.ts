/**
 * The command line as one tool: every command answers --help; every command that prints data
 * prints the same records as JSON and as CSV (a header of the JSON keys and nothing else); unknown
 * ids, missing files and an unreachable database exit with their documented codes and say what is
 * wrong on stderr; a closed standard output ends a command quietly.
 */
import { execFile, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from './support/files.js';

const dataDir = tempDir('cdrbill-contract-');
const execFileAsync = promisify(execFile);

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function env(): NodeJS.ProcessEnv {
  const e = { ...process.env };
  delete e.DATABASE_URL;
  return e;
}

function cdrbill(...args: string[]): Run {
  const result = spawnSync(process.execPath, ['bin/cdrbill.js', '--data-dir', dataDir, ...args], { encoding: 'utf8', env: env() });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** For commands that open no database: run many at once. */
async function cdrbillAsync(...args: string[]): Promise<Run> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, ['bin/cdrbill.js', ...args], { encoding: 'utf8', env: env() });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const COMMANDS = [
  'migrate',
  'load',
  'load tariffs',
  'load customers',
  'ingest',
  'invoice',
  'credit',
  'render',
  'enterprise',
  'calls',
  'number',
  'price',
  'rerate',
  'compact',
  'fair-use',
  'rejects',
  'nightly',
  'load seller',
  'export',
  'export register',
  'export journal',
  'export vat',
  'export revenue',
  'export ubl',
  'export sepa',
  'summary',
  'token',
  'token create',
  'token revoke',
  'token list',
  'serve',
];

/** Commands that print data, with arguments that give them something to print. */
const DATA_COMMANDS: Record<string, string[]> = {
  invoice: ['invoice', '--period', '2026-10', '--dry-run'],
  enterprise: ['enterprise', '--id', 'ENT-NOORD', '--period', '2026-10'],
  calls: ['calls', '--account', 'R-1002', '--period', '2026-10'],
  number: ['number', '0044', '20', '7946', '0958', '--line', '+31201234567'],
  price: ['price', '--line', '+31201234567', '--to', '0612345678', '--start', '2026-10-05T09:00:00+02:00', '--seconds', '61'],
  rerate: ['rerate', '--period', '2026-10'],
  compact: ['compact', '--period', '2026-10'],
  'fair-use': ['fair-use', '--period', '2026-10'],
  rejects: ['rejects'],
  summary: ['summary', '--enterprise', 'ENT-NOORD', '--period', '2026-10'],
};

describe('cdrbill as one tool', () => {
  beforeAll(() => {
    expect(cdrbill('migrate').code).toBe(0);
    expect(cdrbill('load', 'tariffs').code).toBe(0);
    expect(cdrbill('load', 'customers', 'fixtures/customers.json').code).toBe(0);
    expect(cdrbill('load', 'seller', 'fixtures/seller.json').code).toBe(0);
    expect(cdrbill('load', 'customers', 'test/cases/enterprise-two-groups/customers.json').code).toBe(0);
    const ingest = cdrbill('ingest', 'fixtures/cdrs/xms-2026-10-a.csv', 'test/cases/enterprise-two-groups/cdrs/oktober.csv');
    expect(ingest.code).toBe(0);
    expect(ingest.stdout).toMatch(/skipped 1 \(header\)/);
  });

  it('answers --help for every command, and --version', async () => {
    const helps = await Promise.all(COMMANDS.map((c) => cdrbillAsync(...c.split(' '), '--help')));
    for (const [i, help] of helps.entries()) {
      expect(help.code, COMMANDS[i]).toBe(0);
      expect(help.stdout, COMMANDS[i]).toMatch(/^Usage: cdrbill /);
    }
    expect(helps[COMMANDS.indexOf('invoice')]!.stdout).toMatch(/JSON .* HTML/);
    const version = await cdrbillAsync('--version');
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version);
  });

  it.each(Object.entries(DATA_COMMANDS))('prints the same records from %s as JSON and as CSV, and a table', (_name, args) => {
    const json = cdrbill(...args, '--output', 'json');
    expect(json.code, json.stderr).toBe(0);
    const parsed = JSON.parse(json.stdout) as unknown;
    const records = (Array.isArray(parsed) ? parsed : 'accounts' in (parsed as object) ? (parsed as { accounts: unknown[] }).accounts : [parsed]) as Record<
      string,
      unknown
    >[];
    const csv = cdrbill(...args, '-o', 'csv');
    expect(csv.code, csv.stderr).toBe(0);
    const rows = parse(csv.stdout, { columns: false }) as string[][];
    expect(rows.length).toBeGreaterThan(0);
    const [header, ...data] = rows;
    expect(data).toHaveLength(records.length);
    for (const record of records) {
      expect(header).toEqual(Object.keys(record));
      for (const key of Object.keys(record)) expect(key, 'camelCase keys').toMatch(/^[a-z][a-zA-Z0-9]*$/);
    }
    const table = cdrbill(...args);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout.length).toBeGreaterThan(0);
  });

  it('calls and rejects have something to show', () => {
    const calls = JSON.parse(cdrbill('calls', '--account', 'R-1002', '--period', '2026-10', '-o', 'json').stdout) as Record<string, unknown>[];
    expect(calls.length).toBeGreaterThan(5);
    expect(calls[0]).toMatchObject({ date: expect.stringMatching(/^2026-10-\d\d$/), duration: expect.stringMatching(/^\d+:\d\d:\d\d$/) });
  });

  it('calls filters as the portal does, and --totals sums per category the calls asked for', () => {
    type Call = { date: string; category: string; direction: string; answered: boolean; from: string; to: string; durationSeconds: number };
    const json = <T>(...args: string[]): T[] => {
      const result = cdrbill('calls', '--account', 'R-1002', ...args, '-o', 'json');
      expect(result.code, result.stderr).toBe(0);
      return JSON.parse(result.stdout) as T[];
    };
    const all = json<Call>('--period', '2026-10');
    const international = json<Call>('--period', '2026-10', '--category', 'international');
    expect(international.length).toBeGreaterThan(0);
    expect(international).toEqual(all.filter((c) => c.category === 'international'));
    expect(json<Call>('--period', '2026-10', '--direction', 'outgoing', '--answered', 'false')).toEqual(
      all.filter((c) => c.direction === 'outgoing' && !c.answered),
    );
    const week = json<Call>('--from', '2026-10-05', '--to', '2026-10-11');
    expect(week.length).toBeGreaterThan(0);
    expect(week).toEqual(all.filter((c) => c.date >= '2026-10-05' && c.date <= '2026-10-11'));
    const number = international[0]!.to.slice(1, 6);
    expect(json<Call>('--period', '2026-10', '--number', number)).toEqual(all.filter((c) => c.from.includes(number) || c.to.includes(number)));

    const totals = json<{ category: string; calls: number; seconds: number }>('--period', '2026-10', '--totals');
    expect(totals.reduce((n, t) => n + t.calls, 0)).toBe(all.length);
    for (const total of totals) {
      const calls = all.filter((c) => c.category === total.category);
      expect(total.calls, total.category).toBe(calls.length);
      expect(total.seconds, total.category).toBe(calls.reduce((n, c) => n + c.durationSeconds, 0));
    }
    const weekTotals = json<{ calls: number }>('--from', '2026-10-05', '--to', '2026-10-11', '--totals');
    expect(weekTotals.reduce((n, t) => n + t.calls, 0)).toBe(week.length);
  });

  it('summary takes a month or its days alike', () => {
    const month = cdrbill('summary', '--enterprise', 'ENT-NOORD', '--period', '2026-10', '-o', 'json');
    const days = cdrbill('summary', '--enterprise', 'ENT-NOORD', '--from', '2026-10-01', '--to', '2026-10-31', '-o', 'json');
    expect(month.code, month.stderr).toBe(0);
    expect((JSON.parse(month.stdout) as unknown[]).length).toBeGreaterThan(0);
    expect(days.stdout).toBe(month.stdout);
  });

  it.each([
    [['calls', '--account', 'NOPE', '--period', '2026-10'], /no account NOPE/],
    [['calls', '--account', 'NOPE', '--period', '2026-10', '--totals'], /no account NOPE/],
    [['rerate', '--period', '2026-10', '--account', 'NOPE'], /no account NOPE/],
    [['enterprise', '--id', 'NOPE', '--period', '2026-10'], /no enterprise NOPE/],
    [['render', '--invoice', '2099-999999'], /no invoice or credit note 2099-999999/],
    [['credit', '--invoice', '2099-999999', '--reason', 'x'], /no invoice 2099-999999/],
    [['rejects', '--reason', 'nope'], /--reason: no reason code "nope"; the codes are wrong_column_count/],
    [['rejects', '--file', 'never.csv'], /--file: no file named never\.csv/],
    [['ingest', 'no-such-file.csv'], /no-such-file\.csv: no such CDR file/],
    [['load', 'customers', 'no-such.json'], /no-such\.json/],
  ])('exits 1 and names the unknown thing: %j', (args, message) => {
    const result = cdrbill(...args);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/internal error|at .*\.js:\d+/);
  });

  it.each([
    [['calls', '--account', 'R-1002', '--period', '2026-13'], /--period: expected a month YYYY-MM, got "2026-13"/],
    [['invoice', '--period', '2026-10', '--issue-date', '2026-02-30'], /--issue-date: 2026-02-30 is not a calendar date$/m],
    [['calls', '--account', 'R-1002', '--period', '2026-10', '--output', 'xml'], /--output <format>' argument 'xml' is invalid/],
    [['summary', '--account', 'R-1002'], /give --period \(a month, YYYY-MM\), or --from and --to/],
    [['calls', '--account', 'R-1002'], /give --period \(a month, YYYY-MM\), or --from and --to \(days, YYYY-MM-DD\)/],
    [['calls', '--account', 'R-1002', '--period', '2026-10', '--from', '2026-10-01'], /--period or --from\/--to, not both/],
    [['calls', '--account', 'R-1002', '--from', '2026-02-30', '--to', '2026-03-01'], /--from: 2026-02-30 is not a calendar date/],
    [['calls', '--account', 'R-1002', '--from', '2026-10-10', '--to', '2026-10-01'], /--to 2026-10-01 is before --from 2026-10-10/],
    [['calls', '--account', 'R-1002', '--period', '2026-10', '--category', 'premium'], /--category <category>' argument 'premium' is invalid/],
    [['calls', '--account', 'R-1002', '--period', '2026-10', '--number', '06-123'], /--number: expected up to 16 digits/],
    [['ingest', 'x.csv', '--cdr-format', 'cisco'], /--cdr-format: expected auto or one of canonical/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['worker'], /cdrbill worker needs a PostgreSQL server \(--db or DATABASE_URL\)/],
    [['nightly', '--queue', '--cdrs', 'fixtures/cdrs'], /--queue needs a PostgreSQL server/],
    [['--db', 'postgres://postgres@127.0.0.1:1/x', 'worker', '--concurrency', '0'], /--concurrency: expected a whole number from 1 to 16/],
  ])('exits 2 on a usage error and says which option: %j', (args, message) => {
    const result = cdrbill(...args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it('refuses a connection pool an ingest could not work with, naming the variable', () => {
    const result = spawnSync(process.execPath, ['bin/cdrbill.js', '--data-dir', dataDir, 'rejects'], {
      encoding: 'utf8',
      env: { ...env(), CDRBILL_DB_CONNECTIONS: '1' },
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/CDRBILL_DB_CONNECTIONS: expected a whole number from 2 to 100 \(an ingest needs two\), got "1"/);
  });

  it('says it cannot connect to an unreachable database, without its password, and exits 3', () => {
    const result = cdrbill('--db', 'postgres://billing:s3cret@127.0.0.1:1/cdrbill', 'calls', '--account', 'R-1002', '--period', '2026-10');
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/^cdrbill: cannot connect to postgres:\/\/billing:\*\*\*@127\.0\.0\.1:1\/cdrbill/);
    expect(result.stderr).not.toMatch(/s3cret/);
    const scheme = cdrbill('--db', 'mysql://billing:s3cret@host/db', 'migrate');
    expect(scheme.code).toBe(2);
    expect(scheme.stderr).not.toMatch(/s3cret/);
  });

  it('ends quietly when its standard output is closed (| head)', () => {
    const result = spawnSync(
      'bash',
      ['-c', `node bin/cdrbill.js --data-dir ${dataDir} calls --account R-1002 --period 2026-10 -o json | true; echo "status \${PIPESTATUS[0]}"`],
      { encoding: 'utf8', env: env() },
    );
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('status 0\n');
  });

  it('keeps a hostile caller id as inert text: normalised at ingest, and no CSV cell is a formula', () => {
    const dir = tempDir();
    const file = join(dir, 'hostile.csv');
    const header = 'record_id,started_at,answered_seconds,calling_number,called_number,direction,billed_line,device,forwarded_from';
    const row = 'h-1,2026-10-07T10:00:00+02:00,60,"=HYPERLINK(""http://evil"",""x"")",+31104567890,incoming,+31104567890,fixed,';
    writeFileSync(file, `${header}\n${row}\n`);
    expect(cdrbill('ingest', file).code).toBe(0);
    const csv = cdrbill('calls', '--account', 'R-1002', '--period', '2026-10', '-o', 'csv').stdout;
    const cells = (parse(csv, { columns: true }) as Record<string, string>[]).map((r) => r.from!);
    expect(cells).toContain('raw:%3DHYPERLINK%28%22http%3A%2F%2Fevil%22%2C%22x%22%29');
    expect(cells.every((c) => !/^[=+\-@]/.test(c) || /^\+\d+$/.test(c))).toBe(true);
  });
});
