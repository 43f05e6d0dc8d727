/** The pages that read the trail: overview, search, patient access report (HTML, CSV, PDF), association timeline. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type pg from 'pg';
import type { ConsoleConfig } from './config.js';
import { toCsv } from './csv.js';
import { accountingEntries } from './disclosure-accounting.js';
import { ConsoleError } from './errors.js';
import type { Mask } from './masking.js';
import { associationPage } from './pages/association.js';
import { overviewPage } from './pages/overview.js';
import {
  patientMatchesPage,
  patientReportPage,
  type ReportForm,
  reportForm,
} from './pages/patient-report.js';
import { type FormValues, searchPage } from './pages/search.js';
import { patientReportPdf } from './pdf-report.js';
import { associationDetail } from './queries/association-detail.js';
import { overview } from './queries/overview.js';
import { patientAccessRows, patientsByName } from './queries/patient-report.js';
import { searchTrail } from './queries/trail-search.js';
import { parseDay, parseFilter } from './search-filter.js';
import type { RequestContext } from './server.js';

type ContextOf = (req: FastifyRequest, reply: FastifyReply) => Promise<RequestContext | undefined>;

const HTML = 'text/html; charset=utf-8';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function strings(q: unknown): FormValues {
  const out: FormValues = {};
  for (const [k, v] of Object.entries((q ?? {}) as Record<string, unknown>))
    if (typeof v === 'string') out[k] = v;
  return out;
}

function reportInput(v: FormValues) {
  const period = {
    from: parseDay(v['from'], false, new Date(0)),
    to: parseDay(v['to'], true, new Date(Date.now() + 60_000)),
  };
  if (period.from >= period.to)
    throw new ConsoleError('DT_ERR_CONSOLE_PERIOD', 400, 'the period ends before it starts');
  const form: ReportForm = {
    patient_id: v['patient_id']?.trim(),
    name: v['name']?.trim(),
    from: v['from'],
    to: v['to'],
  };
  return { period, form };
}

async function patientReport(db: pg.Pool, ctx: RequestContext, v: FormValues, page: string) {
  const { period, form } = reportInput(v);
  const patientId = form.patient_id;
  if (!patientId) throw new ConsoleError('DT_ERR_CONSOLE_PATIENT', 400, 'a patient id is required');
  return ctx.readTrail({
    page,
    query: async () => {
      const t0 = performance.now();
      const { rows, truncated } = await patientAccessRows(db, patientId, period);
      const entries = accountingEntries(rows);
      const name = rows.find((r) => r.patient_id === patientId && r.patient_name)?.patient_name ?? null;
      return {
        value: { form, patientId, patientName: name, entries, truncated, ms: performance.now() - t0 },
        count: rows.length,
      };
    },
  });
}

function csvEntries(entries: ReturnType<typeof accountingEntries>, mask: Mask, patientId: string): string {
  return toCsv(
    [
      'date',
      'last',
      'patient_id',
      'operation',
      'recipient',
      'address',
      'description',
      'accession_numbers',
      'studies',
      'series',
      'instances',
      'modalities',
      'purpose',
      'outcome',
      'association_id',
    ],
    entries.map((e) => [
      e.date,
      e.last,
      mask(patientId, 'patient'),
      e.operation,
      e.recipient,
      e.address,
      e.description,
      e.accession_numbers.map((a) => mask(a, 'accession')).join(' '),
      e.studies.join(' '),
      e.series,
      e.instances,
      e.modalities.join(' '),
      e.purpose,
      e.outcome,
      e.association_id,
    ]),
  );
}

export function registerTrailRoutes(
  app: FastifyInstance,
  contextOf: ContextOf,
  config: ConsoleConfig,
  db: pg.Pool,
) {
  app.get('/', async (req, reply) => {
    const ctx = await contextOf(req, reply);
    if (!ctx) return;
    const v = strings(req.query);
    const now = new Date();
    const to = parseDay(v['to'], true, new Date(now.getTime() + 60_000));
    const from = parseDay(v['from'], false, new Date(now.getTime() - 86_400_000));
    if (from >= to) throw new ConsoleError('DT_ERR_CONSOLE_PERIOD', 400, 'the period ends before it starts');
    const o = await ctx.readTrail({
      page: 'overview',
      query: async () => ({ value: await overview(db, { from, to }) }),
    });
    return reply
      .type(HTML)
      .send(
        ctx.page(
          'Overview',
          '/',
          overviewPage(o, { from, to, fromText: v['from'] ?? '', toText: v['to'] ?? '' }),
        ),
      );
  });

  app.get('/search', async (req, reply) => {
    const ctx = await contextOf(req, reply);
    if (!ctx) return;
    const v = strings(req.query);
    if (Object.keys(v).length === 0)
      return reply
        .type(HTML)
        .send(
          ctx.page(
            'Search the trail',
            '/search',
            searchPage(v, undefined, 1, config.CONSOLE_PAGE_SIZE, ctx.mask),
          ),
        );
    const f = parseFilter(v, new Date());
    const r = await ctx.readTrail({
      page: 'search',
      query: async () => {
        const r = await searchTrail(db, f, config.CONSOLE_PAGE_SIZE, config.CONSOLE_COUNT_LIMIT);
        return { value: r, count: r.count };
      },
    });
    return reply
      .type(HTML)
      .send(
        ctx.page('Search the trail', '/search', searchPage(v, r, f.page, config.CONSOLE_PAGE_SIZE, ctx.mask)),
      );
  });

  app.get('/search.csv', async (req, reply) => {
    const ctx = await contextOf(req, reply);
    if (!ctx) return;
    const f = parseFilter(strings(req.query), new Date());
    const r = await ctx.readTrail({
      page: 'search.csv',
      query: async () => {
        const r = await searchTrail(db, f, config.CONSOLE_PAGE_SIZE, config.CONSOLE_COUNT_LIMIT);
        return { value: r, count: r.rows.length };
      },
    });
    const m = ctx.mask;
    const csv = toCsv(
      [
        'started_at',
        'operation',
        'status',
        'patient_id',
        'patient_name',
        'study_instance_uid',
        'accession_number',
        'calling_ae_title',
        'called_ae_title',
        'move_destination',
        'user_identity',
        'remote_address',
        'duration_ms',
        'association_id',
      ],
      r.rows.map((x) => [
        x.started_at,
        x.service,
        x.status_category,
        m(x.patient_id, 'patient'),
        m(x.patient_name, 'name'),
        x.study_instance_uid,
        m(x.accession_number, 'accession'),
        x.calling_ae_title,
        x.called_ae_title,
        x.move_destination,
        x.user_identity,
        x.remote_address,
        x.duration_ms,
        x.association_id,
      ]),
    );
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', 'attachment; filename="dicomtrail-search.csv"')
      .send(csv);
  });

  app.get('/reports/patient', async (req, reply) => {
    const ctx = await contextOf(req, reply);
    if (!ctx) return;
    const v = strings(req.query);
    const title = 'Patient access report';
    if (!v['patient_id'] && v['name']) {
      const { form } = reportInput(v);
      const matches = await ctx.readTrail({
        page: 'patient-search',
        query: async () => {
          const m = await patientsByName(db, form.name ?? '');
          return { value: m, count: m.length };
        },
      });
      return reply
        .type(HTML)
        .send(ctx.page(title, '/reports/patient', patientMatchesPage(form, matches, ctx.mask)));
    }
    if (!v['patient_id']) return reply.type(HTML).send(ctx.page(title, '/reports/patient', reportForm({})));
    const r = await patientReport(db, ctx, v, 'patient-report');
    return reply
      .type(HTML)
      .send(
        ctx.page(
          title,
          '/reports/patient',
          patientReportPage(r.form, r, ctx.mask, ctx.session.user.role === 'auditor'),
        ),
      );
  });

  app.get('/reports/patient.csv', async (req, reply) => {
    const ctx = await contextOf(req, reply);
    if (!ctx) return;
    const r = await patientReport(db, ctx, strings(req.query), 'patient-report.csv');
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', 'attachment; filename="patient-access-report.csv"')
      .send(csvEntries(r.entries, ctx.mask, r.patientId));
  });

  app.get('/reports/patient.pdf', async (req, reply) => {
    const ctx = await contextOf(req, reply);
    if (!ctx) return;
    if (ctx.session.user.role !== 'auditor')
      throw new ConsoleError(
        'DT_ERR_CONSOLE_ROLE',
        403,
        'The PDF for the patient names the patient: only auditors may export it.',
      );
    const r = await patientReport(db, ctx, strings(req.query), 'patient-report.pdf');
    const pdf = await patientReportPdf({
      patientId: r.patientId,
      patientName: r.patientName,
      from: r.form.from ?? '',
      to: r.form.to ?? '',
      entries: r.entries,
      generatedAt: new Date(),
      generatedBy: ctx.session.user.username,
    });
    return reply
      .type('application/pdf')
      .header('content-disposition', 'attachment; filename="accounting-of-disclosures.pdf"')
      .send(pdf);
  });

  app.get('/associations/:id', async (req, reply) => {
    const ctx = await contextOf(req, reply);
    if (!ctx) return;
    const id = (req.params as { id: string }).id;
    if (!UUID.test(id))
      throw new ConsoleError('DT_ERR_CONSOLE_ASSOCIATION', 400, 'an association id is a UUID');
    const d = await ctx.readTrail({
      page: 'association',
      query: async () => {
        const d = await associationDetail(db, id);
        return { value: d, count: d ? 1 : 0 };
      },
    });
    if (!d) throw new ConsoleError('DT_ERR_CONSOLE_ASSOCIATION', 404, `no association ${id} in the trail`);
    const traceUrl = d.traceId ? config.CONSOLE_TRACE_URL.replace('{trace_id}', d.traceId) : undefined;
    const a = d.association;
    return reply
      .type(HTML)
      .send(
        ctx.page(
          `Association ${a.calling_ae_title} → ${a.called_ae_title}`,
          '',
          associationPage(d, traceUrl, ctx.mask),
        ),
      );
  });
}
