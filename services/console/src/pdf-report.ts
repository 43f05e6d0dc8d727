/**
 * The accounting of disclosures as a PDF a privacy officer can hand to the patient (pdfkit, standard fonts, A4):
 * the patient, the period, one block per disclosure with the 45 CFR 164.528(b)(2) fields, and a note on what
 * the list covers. Returned as one Buffer.
 */
import PDFDocument from 'pdfkit';
import type { AccountingEntry } from './disclosure-accounting.js';
import { formatTime } from './html.js';

export interface PdfReport {
  patientId: string;
  patientName: string | null;
  from: string;
  to: string;
  entries: AccountingEntry[];
  generatedAt: Date;
  generatedBy: string;
}

export function patientReportPdf(r: PdfReport): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({
      size: 'A4',
      margin: 50,
      info: { Title: 'Accounting of disclosures', Author: 'dicomtrail' },
    });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.font('Helvetica-Bold').fontSize(18).text('Accounting of disclosures of your imaging records');
    doc.moveDown(0.5).font('Helvetica').fontSize(11);
    doc.text(
      `Patient: ${r.patientName ? `${r.patientName.replaceAll('^', ' ')} ` : ''}(patient id ${r.patientId})`,
    );
    doc.text(`Period: ${r.from || 'start of the record'} to ${r.to || 'today'}`);
    doc.text(`Prepared: ${formatTime(r.generatedAt)} by ${r.generatedBy}`);
    doc.moveDown();
    doc
      .fontSize(10)
      .fillColor('#444')
      .text(
        'This list shows each time your medical images were stored, looked up, retrieved or sent to another system over the DICOM network, as recorded in our tamper-evident audit trail: the date, who received them and at which address, what was disclosed, and the purpose where it was stated.',
      );
    doc.fillColor('black').moveDown();
    if (r.entries.length === 0)
      doc.fontSize(11).text('No accesses or disclosures were recorded in this period.');
    r.entries.forEach((e, i) => {
      if (doc.y > 720) doc.addPage();
      doc
        .font('Helvetica-Bold')
        .fontSize(11)
        .text(`${i + 1}. ${formatTime(e.date)} — ${e.operation}`);
      doc.font('Helvetica').fontSize(10);
      doc.text(`Recipient: ${e.recipient}`, { indent: 14 });
      doc.text(`Address: ${e.address || 'not recorded'}`, { indent: 14 });
      doc.text(
        `Description: ${e.description}${e.accession_numbers.length > 0 ? `; accession ${e.accession_numbers.join(', ')}` : ''}`,
        { indent: 14 },
      );
      doc.text(`Purpose: ${e.purpose}`, { indent: 14 });
      doc.text(`Outcome: ${e.outcome}`, { indent: 14 });
      doc.moveDown(0.5);
    });
    doc.end();
  });
}
