/**
 * Server-rendered HTML: a tagged template that escapes every interpolated value unless it is already Html, and
 * the page layout (navigation, the user and role, the logout form with its CSRF token). No client scripts.
 */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

function render(v: unknown): string {
  if (v instanceof Html) return v.text;
  if (Array.isArray(v)) return v.map(render).join('');
  if (v === null || v === undefined || v === false) return '';
  if (v instanceof Date) return escapeHtml(formatTime(v));
  return escapeHtml(String(v));
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1]!;
  return new Html(out);
}

export const raw = (s: string) => new Html(s);

/** UTC, to the millisecond: the trail's own time base. */
export function formatTime(d: Date): string {
  return `${d.toISOString().replace('T', ' ').replace('Z', '')} UTC`;
}

export function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export interface PageContext {
  title: string;
  user?: { username: string; role: string };
  csrfToken?: string;
  active?: string;
}

const NAV: readonly (readonly [string, string])[] = [
  ['/', 'Overview'],
  ['/search', 'Search'],
  ['/reports/patient', 'Patient access report'],
];

export function layout(ctx: PageContext, body: Html): string {
  const nav = ctx.user
    ? html`<nav>${NAV.map(([href, label]) => html`<a href="${href}" class="${ctx.active === href ? 'active' : ''}">${label}</a>`)}
        <span class="who">${ctx.user.username} · ${ctx.user.role}${ctx.user.role === 'engineer' ? ' (patient identifiers masked)' : ''}</span>
        <form method="post" action="/logout" class="inline"><input type="hidden" name="csrf" value="${ctx.csrfToken ?? ''}"><button>Log out</button></form></nav>`
    : html``;
  return `<!doctype html>${html`<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${ctx.title} · dicomtrail console</title><link rel="stylesheet" href="/static/console.css"></head>
<body><header><a class="brand" href="/">dicomtrail</a> <span class="sub">auditor console</span>${nav}</header>
<main><h1>${ctx.title}</h1>${body}</main></body></html>`}`;
}
