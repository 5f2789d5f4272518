/**
 * A SEPA direct-debit file, pain.008.001.08 (the ISO 20022 2019 version of the EPC's SDD Core
 * rulebook, which Dutch banks take), for the invoices of direct-debit accounts: one payment
 * information block per sequence type and collection date, one transaction per invoice with the
 * invoice number as end-to-end id. FRST for a mandate's first collection (no earlier invoice named
 * it), else RCUR. Credit notes reduce the invoice they credit (issued up to its collection date); an
 * invoice credited in full, or whose total is not positive, is left out, saying why. The file is
 * dated by its invoices, so a re-run writes the same bytes. Pure.
 */
import { create } from 'xmlbuilder2';
import { Decimal, formatEuros } from '../domain/money.js';
import type { CreditNote } from '../billing/build-credit-note.js';
import type { Invoice } from '../billing/build-invoice.js';
import type { DocumentHead } from './register.js';

export const PAIN_008 = 'urn:iso:std:iso:20022:tech:xsd:pain.008.001.08';

export interface SepaCollection {
  readonly invoice: string;
  readonly account: string;
  readonly name: string;
  readonly iban: string;
  readonly mandateId: string;
  readonly mandateSigned: string;
  readonly sequence: 'FRST' | 'RCUR';
  readonly collectionDate: string;
  readonly amount: string;
  /** credit notes that reduced it */
  readonly reducedBy: readonly string[];
}

export interface SepaBatch {
  readonly collections: readonly SepaCollection[];
  readonly excluded: readonly { readonly document: string; readonly reason: string }[];
  readonly controlSum: string;
  readonly xml: string | undefined;
}

export interface SepaInput {
  /** the documents selected (invoices, corrective invoices, credit notes), without their lines */
  readonly documents: readonly DocumentHead[];
  /** credit notes of the selected invoices, whenever issued */
  readonly creditNotes: readonly Pick<CreditNote, 'number' | 'creditsInvoice' | 'issueDate' | 'total'>[];
  /** per mandate, the first invoice that named it */
  readonly firstInvoiceOfMandate: ReadonlyMap<string, string>;
  /** collect on this date instead of each invoice's due date */
  readonly collectionDate?: string;
}

/** SEPA's character set: Latin letters, digits and / - ? : ( ) . , ' + space; anything else becomes a space. */
function sepaText(text: string, max: number): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/&/g, '+')
    .replace(/[^A-Za-z0-9/\-?:().,'+ ]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, max);
}

export function buildSepa(input: SepaInput): SepaBatch {
  const credits = new Map<string, SepaInput['creditNotes'][number][]>();
  for (const c of input.creditNotes) credits.set(c.creditsInvoice, [...(credits.get(c.creditsInvoice) ?? []), c]);
  const collections: SepaCollection[] = [];
  const excluded: { document: string; reason: string }[] = [];
  let seller: Invoice['seller'];
  let creditorId: string | undefined;
  for (const doc of input.documents) {
    if (doc.kind === 'credit_note') {
      excluded.push({
        document: doc.number,
        reason: `credit note: reduces the collection of ${doc.creditsInvoice} when that is collected, else is paid back by transfer`,
      });
      continue;
    }
    if (doc.payment?.method !== 'direct_debit') continue; // paid by transfer
    const collectionDate = input.collectionDate ?? doc.dueDate ?? doc.issueDate;
    const applied = (credits.get(doc.number) ?? []).filter((c) => c.issueDate <= collectionDate);
    const amount = applied.reduce((sum, c) => sum.add(c.total), new Decimal(doc.total));
    if (amount.lte(0)) {
      excluded.push({
        document: doc.number,
        reason: applied.length > 0 ? `credited in full by ${applied.map((c) => c.number).join(', ')}` : `total ${doc.total} is not positive`,
      });
      continue;
    }
    seller ??= doc.seller;
    creditorId ??= doc.payment.creditorId;
    const first = input.firstInvoiceOfMandate.get(doc.payment.mandateId);
    collections.push({
      invoice: doc.number,
      account: doc.account.id,
      name: doc.account.name,
      iban: doc.payment.iban,
      mandateId: doc.payment.mandateId,
      mandateSigned: doc.payment.mandateSigned,
      sequence: first === undefined || first === doc.number ? 'FRST' : 'RCUR',
      collectionDate,
      amount: formatEuros(amount),
      reducedBy: applied.map((c) => c.number),
    });
  }
  const controlSum = formatEuros(collections.reduce((s, c) => s.add(c.amount), new Decimal(0)));
  if (collections.length === 0 || !seller || !creditorId) return { collections, excluded, controlSum, xml: undefined };

  const latestIssue = input.documents.reduce((max, d) => (d.issueDate > max ? d.issueDate : max), '0000-00-00');
  const messageId = `CDRBILL-${latestIssue.replace(/-/g, '')}-${collections[0]!.invoice}`;
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele(PAIN_008, 'Document').ele('CstmrDrctDbtInitn');
  const header = root.ele('GrpHdr');
  header.ele('MsgId').txt(sepaText(messageId, 35));
  header.ele('CreDtTm').txt(`${latestIssue}T00:00:00`);
  header.ele('NbOfTxs').txt(String(collections.length));
  header.ele('CtrlSum').txt(controlSum);
  header.ele('InitgPty').ele('Nm').txt(sepaText(seller.name, 70));

  const blocks = new Map<string, SepaCollection[]>();
  for (const c of collections) {
    const key = `${c.sequence}|${c.collectionDate}`;
    blocks.set(key, [...(blocks.get(key) ?? []), c]);
  }
  for (const [key, list] of [...blocks].sort(([a], [b]) => a.localeCompare(b))) {
    const [sequence, date] = key.split('|') as ['FRST' | 'RCUR', string];
    const info = root.ele('PmtInf');
    info.ele('PmtInfId').txt(sepaText(`${collections[0]!.invoice}-${sequence}-${date.replace(/-/g, '')}`, 35));
    info.ele('PmtMtd').txt('DD');
    info.ele('NbOfTxs').txt(String(list.length));
    info.ele('CtrlSum').txt(formatEuros(list.reduce((s, c) => s.add(c.amount), new Decimal(0))));
    const type = info.ele('PmtTpInf');
    type.ele('SvcLvl').ele('Cd').txt('SEPA');
    type.ele('LclInstrm').ele('Cd').txt('CORE');
    type.ele('SeqTp').txt(sequence);
    info.ele('ReqdColltnDt').txt(date);
    info.ele('Cdtr').ele('Nm').txt(sepaText(seller.name, 70));
    info.ele('CdtrAcct').ele('Id').ele('IBAN').txt(seller.iban);
    info.ele('CdtrAgt').ele('FinInstnId').ele('BICFI').txt(seller.bic);
    info.ele('ChrgBr').txt('SLEV');
    const scheme = info.ele('CdtrSchmeId').ele('Id').ele('PrvtId').ele('Othr');
    scheme.ele('Id').txt(creditorId);
    scheme.ele('SchmeNm').ele('Prtry').txt('SEPA');
    for (const c of list) {
      const tx = info.ele('DrctDbtTxInf');
      tx.ele('PmtId').ele('EndToEndId').txt(c.invoice);
      tx.ele('InstdAmt', { Ccy: 'EUR' }).txt(c.amount);
      const mandate = tx.ele('DrctDbtTx').ele('MndtRltdInf');
      mandate.ele('MndtId').txt(c.mandateId);
      mandate.ele('DtOfSgntr').txt(c.mandateSigned);
      tx.ele('DbtrAgt').ele('FinInstnId').ele('Othr').ele('Id').txt('NOTPROVIDED');
      tx.ele('Dbtr').ele('Nm').txt(sepaText(c.name, 70));
      tx.ele('DbtrAcct').ele('Id').ele('IBAN').txt(c.iban);
      tx.ele('RmtInf')
        .ele('Ustrd')
        .txt(sepaText(`Factuur ${c.invoice}${c.reducedBy.length ? ` min creditfactuur ${c.reducedBy.join(', ')}` : ''}`, 140));
    }
  }
  return { collections, excluded, controlSum, xml: `${root.end({ prettyPrint: true })}\n` };
}
