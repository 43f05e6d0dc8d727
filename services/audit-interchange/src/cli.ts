#!/usr/bin/env node
/**
 * `dicomtrail audit-interchange [run]`: the service (audit-interchange.ts), with the destinations the
 * environment names. `dicomtrail audit-interchange backfill --from DATE [--to DATE]`: the messages of a past
 * period from the Postgres trail (DATABASE_URL) to the same destinations (backfill.ts); DATE is an ISO 8601 date
 * or time, `--to` defaults to now.
 */
import { parseArgs } from 'node:util';
import { createLogger, loadConfigOrExit, onShutdown, routeProcessWarnings } from '@dicomtrail/runtime';
import { startAuditInterchange } from './audit-interchange.js';
import { backfill } from './backfill.js';
import { auditInterchangeConfigSpec } from './config.js';
import { auditContext, createDestinations, hasDestination } from './destinations.js';

const USAGE = 'usage: dicomtrail audit-interchange [run] | backfill --from DATE [--to DATE]';
const log = createLogger('audit-interchange');
routeProcessWarnings(log);
const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { from: { type: 'string' }, to: { type: 'string' }, help: { type: 'boolean' } },
});
const command = positionals[0] ?? 'run';
if (values.help || !['run', 'backfill'].includes(command)) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(values.help ? 0 : 2);
}
const config = loadConfigOrExit(auditInterchangeConfigSpec, log);
if (!hasDestination(config)) {
  log.fatal(
    {
      problems: [
        'no destination: set AUDIT_SYSLOG_TRANSPORT (tls/udp), AUDIT_FHIR_URL or AUDIT_FHIR_NDJSON_DIR',
      ],
    },
    'invalid configuration',
  );
  process.exit(2);
}
let destinations: ReturnType<typeof createDestinations>;
try {
  destinations = createDestinations(config, log);
} catch (err) {
  log.fatal({ problems: [(err as Error).message] }, 'invalid configuration');
  process.exit(2);
}

if (command === 'run') {
  const service = await startAuditInterchange(config, log, { destinations });
  onShutdown(log, [() => service.stop()], 15_000);
} else {
  const from = values.from ? new Date(values.from) : undefined;
  const to = values.to ? new Date(values.to) : new Date();
  const databaseUrl = process.env['DATABASE_URL'];
  const problems = [
    ...(!from || Number.isNaN(from.getTime())
      ? [`--from must be an ISO 8601 date or time: ${values.from ?? '(missing)'}`]
      : []),
    ...(Number.isNaN(to.getTime()) ? [`--to must be an ISO 8601 date or time: ${values.to}`] : []),
    ...(!databaseUrl ? ['DATABASE_URL is required for a back-fill (the Postgres trail)'] : []),
  ];
  if (problems.length > 0 || !from || !databaseUrl) {
    log.fatal({ problems }, USAGE);
    process.exit(2);
  }
  const result = await backfill({ databaseUrl, from, to, ctx: auditContext(config), destinations, log });
  for (const d of destinations) {
    while (d.pending > 0) await new Promise((r) => setTimeout(r, 50));
    await d.close();
  }
  log.info({ ...result, from: from.toISOString(), to: to.toISOString() }, 'backfill done');
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}
