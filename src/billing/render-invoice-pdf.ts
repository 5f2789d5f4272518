/**
 * An invoice, corrective invoice or credit note as a PDF (A4), from the same view as the HTML page:
 * pdfkit, pure JavaScript, with the standard Helvetica fonts (no font files to ship). The document's
 * dates are the issue date, so a document renders the same whenever it is rendered.
 */
import PDFDocument from 'pdfkit';
import type { CreditNote } from './build-credit-note.js';
import type { Invoice } from './build-invoice.js';
import { invoiceView, type Language } from './invoice-view.js';

const MARGIN = 50;
const WIDTH = 595.28 - 2 * MARGIN;
const INK = '#1d2733';
const GREY = '#5a6775';
const BAND = '#eef2f6';

/** The standard PDF fonts speak WinAnsi: the minus sign becomes a hyphen. */
function pdfText(text: string): string {
  return text.replace(/\u2212/g, '-');
}

/** Renders `doc` to PDF bytes. */
export function renderInvoicePdf(source: Invoice | CreditNote, language?: Language): Promise<Buffer> {
  const view = invoiceView(source, language);
  const [y, m, d] = source.issueDate.split('-').map(Number);
  const pdf = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    bufferPages: true,
    info: {
      Title: view.title,
      Author: view.seller?.name ?? '',
      Subject: view.title,
      CreationDate: new Date(Date.UTC(y!, m! - 1, d!)),
      ModDate: new Date(Date.UTC(y!, m! - 1, d!)),
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    pdf.on('data', (chunk: Buffer) => chunks.push(chunk));
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.on('error', reject);
  });
  const bottom = () => pdf.page.height - MARGIN - 40;
  /** Starts a new page when `height` does not fit; says whether it did. */
  const ensure = (height: number): boolean => {
    if (pdf.y + height <= bottom()) return false;
    pdf.addPage();
    return true;
  };

  // header: title left, seller right
  const top = pdf.y;
  pdf
    .font('Helvetica-Bold')
    .fontSize(18)
    .fillColor(INK)
    .text(pdfText(view.title), MARGIN, top, { width: WIDTH / 2 });
  if (view.seller) {
    pdf
      .font('Helvetica-Bold')
      .fontSize(11)
      .text(pdfText(view.seller.name), MARGIN + WIDTH / 2, top, { width: WIDTH / 2, align: 'right' });
    pdf.font('Helvetica').fontSize(9).fillColor(GREY);
    for (const line of view.seller.lines) pdf.text(pdfText(line), { width: WIDTH / 2, align: 'right' });
  }
  const afterHeader = Math.max(pdf.y, top + 40) + 20;

  // buyer left, meta right
  pdf.font('Helvetica').fontSize(8).fillColor(GREY).text(pdfText(view.buyer.heading), MARGIN, afterHeader);
  pdf
    .font('Helvetica-Bold')
    .fontSize(10)
    .fillColor(INK)
    .text(pdfText(view.buyer.name), { width: WIDTH / 2 - 10 });
  pdf.font('Helvetica').fontSize(10);
  for (const line of view.buyer.lines) pdf.text(pdfText(line), { width: WIDTH / 2 - 10 });
  const buyerEnd = pdf.y;
  let metaY = afterHeader;
  for (const [label, value] of view.meta) {
    pdf
      .font('Helvetica')
      .fontSize(9)
      .fillColor(GREY)
      .text(pdfText(label), MARGIN + WIDTH / 2, metaY, { width: 110 });
    const labelEnd = pdf.y;
    pdf.fillColor(INK).text(pdfText(value), MARGIN + WIDTH / 2 + 115, metaY, { width: WIDTH / 2 - 115 });
    metaY = Math.max(pdf.y, labelEnd) + 2;
  }
  pdf.y = Math.max(buyerEnd, metaY) + 20;

  /** A table: widths in points, right-aligned columns from `firstNumeric` on. */
  const table = (headers: readonly string[], rows: readonly (readonly string[])[], widths: readonly number[], firstNumeric: number) => {
    const row = (cells: readonly string[], bold: boolean, shade: boolean) => {
      pdf.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(9);
      const height = Math.max(...cells.map((c, i) => pdf.heightOfString(pdfText(c), { width: widths[i]! - 6 }))) + 6;
      // a table continued on a new page repeats its header
      if (ensure(height) && !bold) {
        row(headers, true, true);
        pdf.font('Helvetica').fontSize(9);
      }
      const rowY = pdf.y;
      if (shade) pdf.rect(MARGIN, rowY, WIDTH, height).fill(BAND);
      let x = MARGIN;
      cells.forEach((cell, i) => {
        pdf.fillColor(INK).text(pdfText(cell), x + 3, rowY + 3, { width: widths[i]! - 6, align: i >= firstNumeric ? 'right' : 'left' });
        x += widths[i]!;
      });
      pdf.y = rowY + height;
    };
    row(headers, true, true);
    for (const r of rows) row(r, false, false);
    pdf.x = MARGIN;
  };
  const heading = (text: string) => {
    ensure(40);
    pdf.moveDown(0.8);
    pdf.font('Helvetica-Bold').fontSize(11).fillColor(INK).text(pdfText(text), MARGIN, pdf.y);
    pdf
      .moveTo(MARGIN, pdf.y + 2)
      .lineTo(MARGIN + WIDTH, pdf.y + 2)
      .strokeColor('#c8d0d8')
      .stroke();
    pdf.y += 8;
  };

  heading(view.texts.details);
  table(
    [view.headers.description, view.headers.quantity, view.headers.unitPrice, view.headers.amount, view.headers.vat],
    view.lines.map((l) => [l.description, l.quantity, l.unitPrice, l.amount, l.vat]),
    [WIDTH - 255, 55, 75, 80, 45],
    1,
  );

  // totals, right
  pdf.y += 8;
  for (const [label, value] of [...view.totals, view.grandTotal]) {
    const grand = label === view.grandTotal[0];
    ensure(18);
    const rowY = pdf.y;
    if (grand) {
      pdf
        .moveTo(MARGIN + WIDTH - 260, rowY)
        .lineTo(MARGIN + WIDTH, rowY)
        .strokeColor(INK)
        .lineWidth(1.5)
        .stroke()
        .lineWidth(1);
    }
    pdf
      .font(grand ? 'Helvetica-Bold' : 'Helvetica')
      .fontSize(10)
      .fillColor(INK);
    pdf.text(pdfText(label), MARGIN + WIDTH - 260, rowY + 3, { width: 170 });
    pdf.text(pdfText(value), MARGIN + WIDTH - 90, rowY + 3, { width: 90, align: 'right' });
    pdf.y = rowY + 17;
  }

  if (view.payment) {
    pdf.y += 10;
    const text = pdfText(view.payment);
    pdf.font('Helvetica').fontSize(9);
    const height = pdf.heightOfString(text, { width: WIDTH - 20 }) + 28;
    ensure(height);
    const boxY = pdf.y;
    pdf.rect(MARGIN, boxY, WIDTH, height).fill(BAND);
    pdf
      .font('Helvetica-Bold')
      .fontSize(10)
      .fillColor(INK)
      .text(pdfText(view.paymentHeading), MARGIN + 10, boxY + 8);
    pdf
      .font('Helvetica')
      .fontSize(9)
      .text(text, MARGIN + 10, pdf.y + 2, { width: WIDTH - 20 });
    pdf.y = boxY + height;
  }

  const parts = [
    { part: view.usage, widths: [WIDTH - 375, 55, 65, 85, 85, 85], firstNumeric: 2 },
    { part: view.byUser, widths: [WIDTH - 375, 80, 85, 65, 75, 70], firstNumeric: 3 },
  ];
  for (const { part, widths, firstNumeric } of parts) {
    if (!part) continue;
    heading(part.heading);
    table(part.headers, part.rows, widths, firstNumeric);
  }

  pdf.y += 20;
  ensure(40);
  pdf.font('Helvetica').fontSize(8).fillColor(GREY).text(pdfText(view.footer), MARGIN, pdf.y, { width: WIDTH });

  // every page: the seller's line and the page number at the foot
  const pages = pdf.bufferedPageRange();
  for (let i = 0; i < pages.count; i++) {
    pdf.switchToPage(pages.start + i);
    const footY = pdf.page.height - MARGIN - 10;
    pdf.font('Helvetica').fontSize(7.5).fillColor(GREY);
    if (view.sellerFooter) pdf.text(pdfText(view.sellerFooter), MARGIN, footY - 11, { width: WIDTH, align: 'center', lineBreak: false });
    pdf.text(`${pdfText(view.title)} · ${i + 1}/${pages.count}`, MARGIN, footY, { width: WIDTH, align: 'center', lineBreak: false });
  }
  pdf.end();
  return done;
}
