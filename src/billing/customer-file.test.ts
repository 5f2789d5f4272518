import { describe, expect, it } from 'vitest';
import { accountsLackingDetails, parseCustomerFile, type CustomerFileCatalogue } from './customer-file.js';

const CATALOGUE: CustomerFileCatalogue = {
  plans: new Map([
    ['basis', 'residential'],
    ['hip-per-minuut', 'business'],
    ['hip-onbeperkt', 'business'],
    ['zakelijk-mobiel-150', 'mobile'],
  ]),
  items: new Map<string, { kind: string; plan?: string }>([
    ['business-plus', { kind: 'profile' }],
    ['vamo-business-plus', { kind: 'profile' }],
    ['zakelijk-mobiel-150', { kind: 'mobile_subscription' }],
    ['voicemail', { kind: 'user_option' }],
    ['auto-attendant', { kind: 'group_option' }],
    ['regional-10', { kind: 'number_block' }],
    ['hip-onbeperkt-user', { kind: 'plan_user_fee', plan: 'hip-onbeperkt' }],
  ]),
};

function pbxFile(overrides: Record<string, unknown> = {}, users?: unknown[]) {
  return JSON.stringify({
    accounts: [{ id: 'B-1', name: 'Smit BV', segment: 'business' }],
    pbxs: [
      {
        id: 'PBX-1',
        name: 'Smit',
        account: 'B-1',
        plans: [{ plan: 'hip-per-minuut', from: '2026-01-01' }],
        users: users ?? [
          {
            id: 'jan',
            name: 'Jan',
            number: '+31201110001',
            extension: '201',
            profile: 'business-plus',
            options: [{ id: 'voicemail', from: '2026-01-01' }],
            from: '2026-01-01',
          },
          { id: 'els', name: 'Els', number: '+31201110002', extension: '202', profile: 'business-plus', from: '2026-01-01' },
        ],
        groupOptions: [{ id: 'auto-attendant', from: '2026-01-01' }],
        numberBlocks: [{ id: 'regional-10', from: '2026-01-01', first: '+31201110000' }],
        ...overrides,
      },
    ],
  });
}

const parse = (text: string) => parseCustomerFile('customers.json', text, CATALOGUE);

describe('parseCustomerFile: barring', () => {
  const residential = (barred: unknown) =>
    JSON.stringify({
      accounts: [{ id: 'R-1', name: 'J', segment: 'residential', lines: [{ number: '+31201234567', plan: 'basis', from: '2026-01-01', barred }] }],
    });

  it('keeps the categories a line bars', () => {
    expect(parse(residential(['premium', 'international'])).accounts[0]!.lines[0]!.barred).toEqual(['premium', 'international']);
  });

  it.each([
    ['112', /accounts\[0\]\.lines\[0\]\.barred\[0\]: 112 \(emergency\) can never be barred/],
    ['emergency', /112 \(emergency\) can never be barred/],
    ['gambling', /barred\[0\]: expected one of premium, international, mobile, national, got "gambling"/],
  ])('refuses to bar %s, naming the field', (value, message) => {
    expect(() => parse(residential([value]))).toThrow(message);
  });
});

describe('parseCustomerFile: PBXs', () => {
  it('derives the lines (for rating) and the billing items (for invoices)', () => {
    const file = parse(
      pbxFile(
        {
          plans: [
            { plan: 'hip-per-minuut', from: '2026-01-01' },
            { plan: 'hip-onbeperkt', from: '2026-07-01' },
          ],
        },
        [
          { id: 'jan', name: 'Jan', number: '+31201110001', extension: '201', profile: 'business-plus', from: '2026-01-01' },
          { id: 'els', name: 'Els', number: '+31201110002', profile: 'vamo-business-plus', mobilePlan: 'zakelijk-mobiel-150', from: '2026-01-01' },
          {
            id: 'piet',
            name: 'Piet',
            number: '+31201110003',
            profile: 'business-plus',
            options: [{ id: 'voicemail', from: '2026-10-10', to: '2026-10-20' }],
            from: '2026-10-10',
          },
        ],
      ),
    );
    const account = file.accounts[0]!;
    expect(account.lines.filter((l) => l.number === '+31201110001')).toEqual([
      { number: '+31201110001', plan: 'hip-per-minuut', from: '2026-01-01', to: '2026-07-01', pbx: 'PBX-1' },
      { number: '+31201110001', plan: 'hip-onbeperkt', from: '2026-07-01', pbx: 'PBX-1' },
    ]);
    expect(account.lines.find((l) => l.number === '+31201110002')).toMatchObject({ mobilePlan: 'zakelijk-mobiel-150' });
    const items = account.items!.map((i) => `${i.item} ${i.user ?? '-'} ${i.from}${i.to ? `..${i.to}` : ''}`);
    expect(items).toEqual(
      expect.arrayContaining([
        'business-plus jan 2026-01-01',
        'hip-onbeperkt-user jan 2026-07-01',
        'vamo-business-plus els 2026-01-01',
        'zakelijk-mobiel-150 els 2026-01-01',
        'business-plus piet 2026-10-10',
        'voicemail piet 2026-10-10..2026-10-20',
        'hip-onbeperkt-user piet 2026-10-10',
        'auto-attendant - 2026-01-01',
        'regional-10 - 2026-01-01',
      ]),
    );
    expect(file.pbxs[0]!.users.map((u) => u.extension ?? null)).toEqual(['201', null, null]);
  });

  it.each([
    [
      'an impossible date',
      pbxFile({ groupOptions: [{ id: 'auto-attendant', from: '2026-02-30' }] }),
      /customers\.json: pbxs\[0\]\.groupOptions\[0\]\.from: 2026-02-30 is not a calendar date/,
    ],
    [
      'a PBX with a single user profile',
      pbxFile({}, [{ id: 'jan', name: 'Jan', number: '+31201110001', profile: 'business-plus', from: '2026-01-01' }]),
      /pbxs\[0\]\.users: from 2026-01-01 PBX-1 has 1 user profile; HIP\+ needs at least two/,
    ],
    [
      'a PBX left with one user when another leaves',
      pbxFile({}, [
        { id: 'jan', name: 'Jan', number: '+31201110001', profile: 'business-plus', from: '2026-01-01' },
        { id: 'els', name: 'Els', number: '+31201110002', profile: 'business-plus', from: '2026-01-01', to: '2026-05-01' },
      ]),
      /from 2026-05-01 PBX-1 has 1 user profile/,
    ],
    [
      'a second switch within three months',
      pbxFile({
        plans: [
          { plan: 'hip-per-minuut', from: '2026-01-01' },
          { plan: 'hip-onbeperkt', from: '2026-03-01' },
          { plan: 'hip-per-minuut', from: '2026-05-01' },
        ],
      }),
      /pbxs\[0\]\.plans\[2\]\.from: a switch between Per Minuut and Onbeperkt is allowed three months or more after the previous switch \(2026-03-01\): 2026-06-01 at the earliest/,
    ],
    [
      'HIP Onbeperkt ended within its minimum term',
      pbxFile({
        plans: [
          { plan: 'hip-onbeperkt', from: '2026-01-10' },
          { plan: 'hip-per-minuut', from: '2026-02-01' },
        ],
      }),
      /HIP Onbeperkt has a minimum term of one month: it started 2026-01-10, so it can end on 2026-02-10 at the earliest/,
    ],
    ['a residential plan on a PBX', pbxFile({ plans: [{ plan: 'basis', from: '2026-01-01' }] }), /plans\[0\]\.plan: "basis" is not a business plan/],
    [
      'an option outside its user',
      pbxFile({}, [
        { id: 'jan', name: 'Jan', number: '+31201110001', profile: 'business-plus', options: [{ id: 'voicemail', from: '2025-12-01' }], from: '2026-01-01' },
        { id: 'els', name: 'Els', number: '+31201110002', profile: 'business-plus', from: '2026-01-01' },
      ]),
      /users\[0\]\.options\[0\]: must lie within the user's own period/,
    ],
    [
      'an unknown option',
      pbxFile({ groupOptions: [{ id: 'disco', from: '2026-01-01' }] }),
      /groupOptions\[0\]\.id: "disco" is not a group_option in catalogue\.json/,
    ],
    [
      'a duplicate extension',
      pbxFile({}, [
        { id: 'jan', name: 'Jan', number: '+31201110001', extension: '201', profile: 'business-plus', from: '2026-01-01' },
        { id: 'els', name: 'Els', number: '+31201110002', extension: '201', profile: 'business-plus', from: '2026-01-01' },
      ]),
      /users\[1\]\.extension: extension 201 is used twice in PBX-1/,
    ],
    [
      'a mobile subscription without a Vast-Mobiel profile',
      pbxFile({}, [
        { id: 'jan', name: 'Jan', number: '+31201110001', profile: 'business-plus', mobilePlan: 'zakelijk-mobiel-150', from: '2026-01-01' },
        { id: 'els', name: 'Els', number: '+31201110002', profile: 'business-plus', from: '2026-01-01' },
      ]),
      /users\[0\]\.mobilePlan: a mobile subscription comes with a Vast-Mobiel profile/,
    ],
  ])('refuses %s, saying why', (_name, text, message) => {
    expect(() => parse(text)).toThrow(message);
  });

  it('allows a switch back three months after the previous one', () => {
    const file = parse(
      pbxFile({
        plans: [
          { plan: 'hip-per-minuut', from: '2026-01-01' },
          { plan: 'hip-onbeperkt', from: '2026-03-01' },
          { plan: 'hip-per-minuut', from: '2026-06-01' },
        ],
      }),
    );
    expect(file.accounts[0]!.lines.filter((l) => l.number === '+31201110001').map((l) => l.plan)).toEqual([
      'hip-per-minuut',
      'hip-onbeperkt',
      'hip-per-minuut',
    ]);
  });
});

describe('billing details', () => {
  const home = (details: Record<string, unknown>) =>
    JSON.stringify({
      accounts: [
        { id: 'R-1', name: 'J. de Vries', segment: 'residential', ...details, lines: [{ number: '+31201234567', plan: 'basis', from: '2026-01-01' }] },
      ],
    });
  const address = { street: 'Prinsengracht 263', postalCode: '1016 GV', city: 'Amsterdam' };

  it('keeps address, VAT and KvK numbers, buyer reference, a direct-debit mandate and the language', () => {
    const file = parseCustomerFile(
      'c.json',
      home({
        address,
        vatNumber: 'nl 8560.00012 B01',
        kvkNumber: '30123456',
        buyerReference: 'PO-1',
        payment: { method: 'direct_debit', iban: 'NL91 ABNA 0417 1643 00', mandateId: 'M-1', mandateSigned: '2025-12-01' },
        language: 'en',
      }),
      CATALOGUE,
    );
    expect(file.accounts[0]!.billing).toEqual({
      address: { ...address, country: 'NL' },
      vatNumber: 'NL856000012B01',
      kvkNumber: '30123456',
      buyerReference: 'PO-1',
      payment: { method: 'direct_debit', iban: 'NL91ABNA0417164300', mandateId: 'M-1', mandateSigned: '2025-12-01' },
      language: 'en',
    });
  });

  it.each([
    [
      { payment: { method: 'direct_debit', iban: 'NL91ABNA0417164301', mandateId: 'M-1', mandateSigned: '2025-12-01' } },
      /accounts\[0\]\.payment\.iban: not a valid IBAN/,
    ],
    [{ vatNumber: 'NL856000013B01' }, /accounts\[0\]\.vatNumber: not a valid VAT number/],
    [{ kvkNumber: '1234' }, /accounts\[0\]\.kvkNumber: expected a KvK number of 8 digits/],
    [{ address: { ...address, postalCode: '1016' } }, /accounts\[0\]\.address\.postalCode: expected a Dutch postal code/],
    [{ payment: { method: 'direct_debit', iban: 'NL91ABNA0417164300', mandateSigned: '2025-12-01' } }, /accounts\[0\]\.payment\.mandateId/],
    [{ payment: { method: 'cash' } }, /accounts\[0\]\.payment\.method/],
  ])('refuses %j naming the file and field', (details, message) => {
    expect(() => parseCustomerFile('c.json', home(details), CATALOGUE)).toThrow(message);
  });

  it('loads a file written before billing details existed, and names the accounts an invoice lacks an address for', () => {
    const file = parseCustomerFile('c.json', home({}), CATALOGUE);
    expect(accountsLackingDetails(file)).toMatch(/1 account without an address, which an invoice must show \(art\. 35a Wet OB\): R-1/);
    expect(accountsLackingDetails(parseCustomerFile('c.json', home({ address }), CATALOGUE))).toBeUndefined();
  });
});
