/**
 * The console in a real browser (Debian's Chromium through playwright-core) over a trail written by the real
 * pipeline: dcmtk → adapter → Kafka → audit writer → Postgres. Login, the overview, search, the patient access
 * report with its CSV and PDF, association timelines (a rejected one, one whose only presentation context was
 * refused, a C-MOVE), the masked engineer view; and every page read is in the trail as an EVT_AUDIT_LOG_USED
 * event written by the audit writer.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { type Browser, launchBrowser, login, screenshot } from './support/browser.js';
import { AUDITOR, ENGINEER, type Stack, startStack, waitFor } from './support/stack.js';
import { PATIENT } from './support/traffic.js';

let stack: Stack;
let browser: Browser;
let auditor: Page;
let base: string;

before(async () => {
  stack = await startStack('browser');
  base = stack.console.url;
  browser = await launchBrowser();
  auditor = await browser.context.newPage();
});

after(async () => {
  await browser?.close();
  await stack?.close();
});

test('a wrong password is refused with a message; the right one opens the overview with the activity chart', async () => {
  await auditor.goto(`${base}/`);
  assert.equal(new URL(auditor.url()).pathname, '/login', 'not logged in: sent to the login page');
  await auditor.fill('input[name=username]', AUDITOR.username);
  await auditor.fill('input[name=password]', 'not-the-password');
  await auditor.click('button[type=submit]');
  assert.match((await auditor.textContent('[role=alert]')) ?? '', /Wrong username or password/);
  await screenshot(auditor, '01-login-refused');
  await login(auditor, base, AUDITOR.username, AUDITOR.password);
  assert.equal((await auditor.locator('svg.chart polyline').count()) >= 2, true, 'one line per calling AE');
  assert.match((await auditor.textContent('svg.chart')) ?? '', /MODALITY1/);
  const refused = auditor.locator('tr.rejected');
  assert.equal(await refused.count(), 1);
  assert.match((await refused.textContent()) ?? '', /STORESCU → WRONG.*called-ae-title-not-recognized/s);
  assert.match((await auditor.textContent('main')) ?? '', /present, hash matches/);
  await screenshot(auditor, '02-overview');
});

test('search by patient id finds its operations with a count and links to each association', async () => {
  await auditor.goto(`${base}/search`);
  await auditor.fill('input[name=patient]', PATIENT.id);
  await auditor.fill('input[name=from]', new Date(Date.now() - 86_400_000).toISOString().slice(0, 10));
  await auditor.click('form.filters button');
  await auditor.waitForSelector('table.results');
  const rows = auditor.locator('table.results tr:not(:first-child)');
  // 3 C-STOREs in, the C-FIND, the C-MOVE, 3 C-STOREs of the sub-association out.
  assert.ok((await rows.count()) >= 8, `rows: ${await rows.count()}`);
  assert.match((await auditor.textContent('p.count')) ?? '', /^\s*\d+ operations/);
  const text = (await auditor.textContent('table.results')) ?? '';
  for (const s of ['C-STORE', 'C-FIND', 'C-MOVE', PATIENT.id, 'tech01', 'CT Image Storage'])
    assert.ok(text.includes(s), s);
  await screenshot(auditor, '03-search');
  await auditor.goto(`${base}/search?operation=C-MOVE&status=success&ae=VIEWER`);
  assert.equal(await rows.count(), 1);
  await auditor.goto(`${base}/search?destination=WORKSTATION`);
  assert.equal(await rows.count(), 1);
  assert.match((await rows.textContent()) ?? '', /C-MOVE.*→ WORKSTATION/s);
});

test('the patient report: name search, then every access grouped into 164.528 accounting entries', async () => {
  await auditor.goto(`${base}/reports/patient`);
  await auditor.fill('input[name=name]', 'console^car');
  await auditor.click('form.filters button');
  await Promise.all([auditor.waitForURL(/patient_id=/), auditor.click(`a:has-text("${PATIENT.id}")`)]);
  const table = (await auditor.textContent('table.accounting')) ?? '';
  assert.match(table, /stored.*MODALITY1, user tech01.*127\.0\.0\.1.*3 CT instances in 1 series of 1 study/s);
  assert.match(table, /queried.*VIEWER/s);
  assert.match(table, /moved to WORKSTATION.*WORKSTATION, requested by VIEWER/s);
  assert.match(table, /sent to WORKSTATION \(C-MOVE sub-operation\).*3 CT instances/s);
  assert.match(table, /not stated in the DICOM request/);
  assert.ok(table.includes(PATIENT.accession));
  assert.match((await auditor.textContent('.patient-name')) ?? '', /Console\^Carol/);
  await screenshot(auditor, '04-patient-report');

  const [csv] = await Promise.all([
    auditor.waitForEvent('download'),
    auditor.click('a:has-text("Export CSV")'),
  ]);
  const csvText = readFileSync((await csv.path())!, 'utf8');
  const lines = csvText.trim().split('\r\n');
  assert.match(lines[0]!, /^date,last,patient_id,operation,recipient,address,description/);
  assert.equal(lines.length, 5, csvText);
  assert.ok(lines.slice(1).every((l) => l.includes(PATIENT.id)));

  const [pdf] = await Promise.all([
    auditor.waitForEvent('download'),
    auditor.click('a:has-text("Export PDF")'),
  ]);
  const bytes = readFileSync((await pdf.path())!);
  assert.equal(bytes.subarray(0, 5).toString(), '%PDF-');
  assert.ok(bytes.length > 1500, `pdf of ${bytes.length} bytes`);
  const pdfPage = await browser.context.newPage();
  await pdfPage.setContent(
    `<embed src="data:application/pdf;base64,${bytes.toString('base64')}" width="900" height="1100">`,
  );
  await pdfPage.waitForTimeout(1500);
  await screenshot(pdfPage, '05-patient-report-pdf');
  await pdfPage.close();
});

test('the timeline of a rejected association explains it; the C-MOVE links its sub-association and its trace', async () => {
  await auditor.goto(`${base}/`);
  await Promise.all([auditor.waitForURL(/associations\//), auditor.click('tr.rejected a')]);
  assert.match(
    (await auditor.textContent('.explain')) ?? '',
    /the called AE title "WRONG" is not this node's/,
  );
  assert.match((await auditor.textContent('svg.sequence')) ?? '', /A-ASSOCIATE-RJ/);
  await screenshot(auditor, '06-timeline-rejected');

  await auditor.goto(`${base}/search?operation=C-MOVE&ae=VIEWER`);
  await Promise.all([auditor.waitForURL(/associations\//), auditor.click('table.results tr:nth-child(2) a')]);
  const seq = (await auditor.textContent('svg.sequence')) ?? '';
  for (const s of [
    'A-ASSOCIATE-RQ',
    'A-ASSOCIATE-AC',
    'C-MOVE-RQ',
    'WORKSTATION',
    'C-MOVE-RSP success',
    '3 completed',
    'A-RELEASE-RQ',
  ])
    assert.ok(seq.includes(s), s);
  assert.match((await auditor.textContent('ul.links')) ?? '', /C-MOVE sub-association to WORKSTATION/);
  const trace = await auditor.getAttribute('a:has-text("Trace in Zipkin")', 'href');
  assert.match(trace ?? '', /^http:\/\/127\.0\.0\.1:9411\/zipkin\/traces\/[0-9a-f]{32}$/);
  await screenshot(auditor, '07-timeline-move');
  await Promise.all([auditor.waitForURL(/associations\//), auditor.click('ul.links a')]);
  assert.match((await auditor.textContent('main')) ?? '', /Serves the C-MOVE of/);
  assert.match((await auditor.textContent('svg.sequence')) ?? '', /C-STORE-RQ/);
});

test('an association whose only presentation context was refused (storescu proposing a transfer syntax the node does not accept) is explained in words', async () => {
  const { rows } = await stack.pool.query<{ association_id: string }>(
    `SELECT association_id::text FROM audit.associations WHERE calling_ae_title = 'PROPOSER'`,
  );
  assert.equal(rows.length, 1, 'one association from PROPOSER');
  await auditor.goto(`${base}/associations/${rows[0]!.association_id}`);
  assert.match(
    (await auditor.textContent('.explain')) ?? '',
    /No presentation context for CT Image Storage was accepted \(transfer syntaxes not supported\)/,
  );
  const seq = (await auditor.textContent('svg.sequence')) ?? '';
  assert.match(seq, /A-ASSOCIATE-RQ/);
  assert.match(seq, /A-ASSOCIATE-AC/);
  assert.doesNotMatch(seq, /C-STORE-RQ/, 'nothing was sent');
  await screenshot(auditor, '10-timeline-no-context');
});

test('an engineer sees the same pages with patient identifiers masked, and no PDF for the patient', async () => {
  const engineer = (await browser.context.browser()?.newContext()) ?? (await launchBrowser()).context;
  const page = await engineer.newPage();
  await login(page, base, ENGINEER.username, ENGINEER.password);
  await page.goto(`${base}/reports/patient?patient_id=${PATIENT.id}`);
  const main = (await page.textContent('main')) ?? '';
  assert.ok(!main.includes(PATIENT.name) && !main.includes('Console^Carol'), 'no patient name');
  assert.ok(!main.includes(PATIENT.accession), 'no accession number');
  assert.ok(
    !main.slice(main.indexOf('Patient ')).includes(`Patient ${PATIENT.id}`),
    'no patient id in the header',
  );
  assert.match(main, /\[masked patient [0-9a-f]{8}\]/);
  assert.match(main, /moved to WORKSTATION/);
  assert.equal(await page.locator('a:has-text("Export PDF")').count(), 0);
  await screenshot(page, '08-engineer-masked-report');
  await page.goto(`${base}/search?patient=${PATIENT.id}`);
  const results = (await page.textContent('table.results')) ?? '';
  assert.ok(!results.includes(PATIENT.id) && !results.includes('Console^Carol'));
  await screenshot(page, '09-engineer-masked-search');
  const pdf = await page.request.get(`${base}/reports/patient.pdf?patient_id=${PATIENT.id}`);
  assert.equal(pdf.status(), 403);
  await engineer.close();
});

test('every page read is in the trail as Audit Log Used, written by the audit writer', async () => {
  await waitFor(
    async () => {
      const { rows } = await stack.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM audit.events WHERE type = 'EVT_AUDIT_LOG_USED'
            AND params->'user'->>'username' = $1 AND params->'query'->>'page' = 'search'`,
        [ENGINEER.username],
      );
      return rows[0]!.n >= 1;
    },
    20_000,
    "the engineer's last read recorded in the trail",
  );
  const { rows } = await stack.pool.query<{
    username: string;
    page: string;
    phi: boolean;
    patient: string | null;
    node_mode: string;
    seq: string;
  }>(
    `SELECT params->'user'->>'username' AS username, params->'query'->>'page' AS page, (params->>'phi_shown')::boolean AS phi,
            params->'query'->'parameters'->>'patient_id' AS patient, node_mode, seq::int AS seq
       FROM audit.events WHERE type = 'EVT_AUDIT_LOG_USED' ORDER BY seq`,
  );
  const pages = new Set(rows.map((r) => `${r.username}:${r.page}`));
  for (const p of [
    'overview',
    'search',
    'patient-search',
    'patient-report',
    'patient-report.csv',
    'patient-report.pdf',
    'association',
  ])
    assert.ok(pages.has(`${AUDITOR.username}:${p}`), `auditor ${p}: ${[...pages].join(' ')}`);
  assert.ok(pages.has(`${ENGINEER.username}:patient-report`));
  assert.ok(rows.every((r) => r.node_mode === 'console'));
  assert.ok(rows.filter((r) => r.username === ENGINEER.username).every((r) => r.phi === false));
  assert.ok(rows.some((r) => r.page === 'patient-report' && r.patient === PATIENT.id && r.phi));
  // The refused PDF (engineer) was never read, so never recorded.
  assert.ok(!rows.some((r) => r.username === ENGINEER.username && r.page === 'patient-report.pdf'));
  assert.deepEqual(
    rows.map((r) => Number(r.seq)),
    rows.map((_, i) => i),
    'seq 0,1,2,... for the console node',
  );
});
