/**
 * A pino JSON log line as a line a person reads on a terminal: time, level, service and component, the message,
 * then every other field as key=value (the same fields as the JSON line), and an error's stack below it.
 */

const LEVEL_COLOURS: Record<string, string> = {
  trace: '\x1b[90m',
  debug: '\x1b[36m',
  info: '\x1b[32m',
  warn: '\x1b[33m',
  error: '\x1b[31m',
  fatal: '\x1b[41m\x1b[97m',
};
const DIM = '\x1b[2m';
const BOLD = '\x1b[1m';
const RESET = '\x1b[0m';

/** Fields shown in the line's head rather than as key=value. */
const HEAD_FIELDS = new Set(['level', 'time', 'msg', 'service', 'name', 'component']);

function clockOf(time: unknown): string {
  if (typeof time === 'string' && /T(\d\d:\d\d:\d\d\.\d{3})/.test(time)) {
    return (time.match(/T(\d\d:\d\d:\d\d\.\d{3})/) as RegExpMatchArray)[1] as string;
  }
  if (typeof time === 'number') return new Date(time).toISOString().slice(11, 23);
  return String(time ?? '');
}

function valueText(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value) ?? String(value);
}

/** `line` is one JSON log record; anything else is returned as it is. */
export function prettyLogLine(line: string, colour: boolean): string {
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`;
  }
  if (rec === null || typeof rec !== 'object') return line.endsWith('\n') ? line : `${line}\n`;
  const paint = (code: string, text: string) => (colour ? `${code}${text}${RESET}` : text);
  const level = String(rec['level'] ?? 'info');
  const who = [rec['service'] ?? rec['name'], rec['component']].filter((v) => v !== undefined).join('/');
  const err = rec['err'] as { message?: unknown; stack?: unknown; type?: unknown } | undefined;
  const fields: string[] = [];
  for (const [key, value] of Object.entries(rec)) {
    if (HEAD_FIELDS.has(key) || value === undefined) continue;
    if (key === 'err' && err && typeof err === 'object') {
      fields.push(`${paint(DIM, 'err=')}${valueText(err.message ?? err.type ?? err)}`);
      continue;
    }
    fields.push(`${paint(DIM, `${key}=`)}${valueText(value)}`);
  }
  const head = [
    paint(DIM, clockOf(rec['time'])),
    paint(LEVEL_COLOURS[level] ?? '', level.toUpperCase().padEnd(5)),
    paint(DIM, who),
    paint(BOLD, String(rec['msg'] ?? '')),
  ]
    .filter((s) => s !== '')
    .join(' ');
  const stack = err && typeof err.stack === 'string' ? `\n${paint(DIM, err.stack)}` : '';
  return `${head}${fields.length > 0 ? ` ${fields.join(' ')}` : ''}${stack}\n`;
}
