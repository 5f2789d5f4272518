/**
 * E-invoices in SI-UBL 2.0, the Dutch NLCIUS profile of EN 16931: an `Invoice` (type 380, or 384
 * for a corrective invoice, with a reference to the invoice it corrects) or a `CreditNote` (type
 * 381, amounts positive, referring to the credited invoice), from a stored document. For business
 * customers: NLCIUS asks a Dutch buyer's KvK number. Pure.
 */
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import type { Address } from '../billing/parties.js';
import { Decimal, formatEuros } from '../domain/money.js';
import { daysInPeriod, parsePeriod } from '../domain/period.js';
import type { FinanceDocument } from './register.js';

const NS = {
  invoice: 'urn:oasis:names:specification:ubl:schema:xsd:Invoice-2',
  creditNote: 'urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2',
  cac: 'urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2',
  cbc: 'urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2',
};
export const NLCIUS_CUSTOMIZATION = 'urn:cen.eu:en16931:2017#compliant#urn:fdc:nen.nl:nlcius:v1.0';
const PEPPOL_PROFILE = 'urn:fdc:peppol.eu:2017:poacc:billing:01:1.0';
/** ISO 6523 scheme of the Dutch Chamber of Commerce number */
const KVK_SCHEME = '0106';

/** Why a document cannot be an SI-UBL e-invoice, or undefined when it can. */
export function ublObstacle(doc: FinanceDocument): string | undefined {
  if (!doc.seller) return `${doc.number}: issued before the seller file existed (no supplier details)`;
  if (!doc.account.address) return `${doc.number}: account ${doc.account.id} has no address`;
  if (!doc.account.kvkNumber && doc.account.address.country === 'NL')
    return `${doc.number}: account ${doc.account.id} has no KvK number (NLCIUS asks it of a Dutch buyer)`;
  return undefined;
}

function amount(parent: XMLBuilder, name: string, value: Decimal | string): void {
  parent.ele(`cbc:${name}`, { currencyID: 'EUR' }).txt(formatEuros(new Decimal(value)));
}

function address(parent: XMLBuilder, a: Address): void {
  const postal = parent.ele('cac:PostalAddress');
  postal.ele('cbc:StreetName').txt(a.street);
  postal.ele('cbc:CityName').txt(a.city);
  postal.ele('cbc:PostalZone').txt(a.postalCode);
  postal.ele('cac:Country').ele('cbc:IdentificationCode').txt(a.country);
}

function taxCategory(parent: XMLBuilder, name: 'TaxCategory' | 'ClassifiedTaxCategory', rate: string): void {
  const category = parent.ele(`cac:${name}`);
  const percent = new Decimal(rate).times(100);
  category.ele('cbc:ID').txt(percent.isZero() ? 'Z' : 'S');
  category.ele('cbc:Percent').txt(percent.toString());
  category.ele('cac:TaxScheme').ele('cbc:ID').txt('VAT');
}

/** The document as SI-UBL 2.0 XML. @throws Error when ublObstacle says it cannot be one */
export function buildUbl(doc: FinanceDocument): string {
  const obstacle = ublObstacle(doc);
  if (obstacle) throw new Error(obstacle);
  const seller = doc.seller!;
  const buyer = doc.account;
  const credit = doc.kind === 'credit_note';
  // a credit note states its amounts positive: the document type carries the sign
  const sign = (value: string) => (credit ? new Decimal(value).negated() : new Decimal(value));
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele(credit ? NS.creditNote : NS.invoice, credit ? 'CreditNote' : 'Invoice', {
    'xmlns:cac': NS.cac,
    'xmlns:cbc': NS.cbc,
  });
  root.ele('cbc:CustomizationID').txt(NLCIUS_CUSTOMIZATION);
  root.ele('cbc:ProfileID').txt(PEPPOL_PROFILE);
  root.ele('cbc:ID').txt(doc.number);
  root.ele('cbc:IssueDate').txt(doc.issueDate);
  if (!credit && doc.dueDate) root.ele('cbc:DueDate').txt(doc.dueDate);
  root.ele(credit ? 'cbc:CreditNoteTypeCode' : 'cbc:InvoiceTypeCode').txt(credit ? '381' : doc.kind === 'corrective' ? '384' : '380');
  if (credit) root.ele('cbc:Note').txt(doc.reason);
  root.ele('cbc:DocumentCurrencyCode').txt('EUR');
  root.ele('cbc:BuyerReference').txt(buyer.buyerReference ?? buyer.id);
  const period = root.ele('cac:InvoicePeriod');
  period.ele('cbc:StartDate').txt(`${doc.period}-01`);
  period.ele('cbc:EndDate').txt(`${doc.period}-${String(daysInPeriod(parsePeriod(doc.period)!)).padStart(2, '0')}`);
  const reference = credit ? doc.creditsInvoice : doc.kind === 'corrective' ? doc.corrects : undefined;
  if (reference) root.ele('cac:BillingReference').ele('cac:InvoiceDocumentReference').ele('cbc:ID').txt(reference);

  const supplier = root.ele('cac:AccountingSupplierParty').ele('cac:Party');
  supplier.ele('cbc:EndpointID', { schemeID: KVK_SCHEME }).txt(seller.kvkNumber);
  if (doc.kind !== 'credit_note' && doc.payment?.method === 'direct_debit') {
    supplier.ele('cac:PartyIdentification').ele('cbc:ID', { schemeID: 'SEPA' }).txt(doc.payment.creditorId);
  }
  supplier.ele('cac:PartyName').ele('cbc:Name').txt(seller.name);
  address(supplier, seller.address);
  const supplierTax = supplier.ele('cac:PartyTaxScheme');
  supplierTax.ele('cbc:CompanyID').txt(seller.vatNumber);
  supplierTax.ele('cac:TaxScheme').ele('cbc:ID').txt('VAT');
  const supplierLegal = supplier.ele('cac:PartyLegalEntity');
  supplierLegal.ele('cbc:RegistrationName').txt(seller.name);
  supplierLegal.ele('cbc:CompanyID', { schemeID: KVK_SCHEME }).txt(seller.kvkNumber);
  const contact = supplier.ele('cac:Contact');
  if (seller.contact.phone) contact.ele('cbc:Telephone').txt(seller.contact.phone);
  if (seller.contact.email) contact.ele('cbc:ElectronicMail').txt(seller.contact.email);

  const customer = root.ele('cac:AccountingCustomerParty').ele('cac:Party');
  if (buyer.kvkNumber) customer.ele('cbc:EndpointID', { schemeID: KVK_SCHEME }).txt(buyer.kvkNumber);
  customer.ele('cac:PartyIdentification').ele('cbc:ID').txt(buyer.id);
  customer.ele('cac:PartyName').ele('cbc:Name').txt(buyer.name);
  address(customer, buyer.address!);
  if (buyer.vatNumber) {
    const tax = customer.ele('cac:PartyTaxScheme');
    tax.ele('cbc:CompanyID').txt(buyer.vatNumber);
    tax.ele('cac:TaxScheme').ele('cbc:ID').txt('VAT');
  }
  const legal = customer.ele('cac:PartyLegalEntity');
  legal.ele('cbc:RegistrationName').txt(buyer.name);
  if (buyer.kvkNumber) legal.ele('cbc:CompanyID', { schemeID: KVK_SCHEME }).txt(buyer.kvkNumber);

  if (doc.kind !== 'credit_note' && doc.payment) {
    const means = root.ele('cac:PaymentMeans');
    if (doc.payment.method === 'transfer') {
      means.ele('cbc:PaymentMeansCode').txt('58'); // SEPA credit transfer
      means.ele('cbc:PaymentID').txt(doc.payment.reference);
      means.ele('cac:PayeeFinancialAccount').ele('cbc:ID').txt(doc.payment.iban);
    } else {
      means.ele('cbc:PaymentMeansCode').txt('59'); // SEPA direct debit
      means.ele('cbc:PaymentID').txt(doc.number);
      const mandate = means.ele('cac:PaymentMandate');
      mandate.ele('cbc:ID').txt(doc.payment.mandateId);
      mandate.ele('cac:PayerFinancialAccount').ele('cbc:ID').txt(doc.payment.iban);
    }
    if (doc.dueDate) root.ele('cac:PaymentTerms').ele('cbc:Note').txt(`Te betalen uiterlijk ${doc.dueDate}`);
  }

  const taxTotal = root.ele('cac:TaxTotal');
  amount(taxTotal, 'TaxAmount', sign(doc.vat));
  for (const v of doc.vatBreakdown) {
    const sub = taxTotal.ele('cac:TaxSubtotal');
    amount(sub, 'TaxableAmount', sign(v.base));
    amount(sub, 'TaxAmount', sign(v.amount));
    taxCategory(sub, 'TaxCategory', v.rate);
  }
  const totals = root.ele('cac:LegalMonetaryTotal');
  amount(totals, 'LineExtensionAmount', sign(doc.subtotal));
  amount(totals, 'TaxExclusiveAmount', sign(doc.subtotal));
  amount(totals, 'TaxInclusiveAmount', sign(doc.total));
  amount(totals, 'PayableAmount', sign(doc.total));

  doc.lines.forEach((line, i) => {
    const el = root.ele(credit ? 'cac:CreditNoteLine' : 'cac:InvoiceLine');
    el.ele('cbc:ID').txt(String(i + 1));
    const lineAmount = sign(line.amount);
    // quantity × price must give the line's amount: a prorated fee (0.7097 × 4.95) is stated as 1 × its amount,
    // a negative line as −1 × a positive price
    const quantity = new Decimal(line.quantity);
    const price = sign(line.unitPrice);
    const exact = price.gte(0) && quantity.times(price).toDecimalPlaces(2, Decimal.ROUND_HALF_UP).eq(lineAmount);
    const statedQuantity = exact ? quantity : new Decimal(lineAmount.lt(0) ? -1 : 1);
    const statedPrice = exact ? price : lineAmount.abs();
    el.ele(credit ? 'cbc:CreditedQuantity' : 'cbc:InvoicedQuantity', { unitCode: 'C62' }).txt(statedQuantity.toString());
    amount(el, 'LineExtensionAmount', lineAmount);
    const item = el.ele('cac:Item');
    item.ele('cbc:Name').txt(line.description);
    taxCategory(item, 'ClassifiedTaxCategory', line.vatRate);
    el.ele('cac:Price').ele('cbc:PriceAmount', { currencyID: 'EUR' }).txt(statedPrice.toFixed());
  });
  return `${root.end({ prettyPrint: true })}\n`;
}
