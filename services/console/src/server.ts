/**
 * The console's HTTP server (Fastify): login and logout, and the pages that read the trail. Every page that reads
 * the trail goes through `readTrail`, which runs the query, records the read as an Audit Log Used event on the
 * event topic and waits for its acknowledgement, and only then renders the page.
 */

import type { Logger } from '@dicomtrail/runtime';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import type pg from 'pg';
import { authenticate } from './accounts.js';
import { recordedParameters } from './audit-log-used.js';
import type { AuditRecorder } from './audit-recorder.js';
import type { ConsoleConfig } from './config.js';
import { ConsoleError } from './errors.js';
import { type Html, html, layout } from './html.js';
import { isThrottled, recordFailure } from './login-throttle.js';
import { type Mask, maskFor, pseudonymizer } from './masking.js';
import { loginPage } from './pages/login.js';
import { registerTrailRoutes } from './routes.js';
import {
  createSession,
  csrfMatches,
  endSession,
  findSession,
  SESSION_COOKIE,
  type Session,
} from './sessions.js';
import { CONSOLE_CSS } from './styles.js';

export interface ConsoleServerOptions {
  db: pg.Pool;
  recorder: AuditRecorder;
  config: ConsoleConfig;
  log: Logger;
}

export interface TrailRead<T> {
  page: string;
  /** Runs the query; returns what the page needs and how many rows it found. */
  query: () => Promise<{ value: T; count?: number }>;
}

export interface RequestContext {
  session: Session;
  mask: Mask;
  /** Queries the trail, records the read (awaited), then returns the result. */
  readTrail<T>(read: TrailRead<T>): Promise<T>;
  page(title: string, active: string, body: Html): string;
}

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};

function sameOrigin(req: FastifyRequest): boolean {
  const origin = req.headers.origin ?? req.headers.referer;
  if (!origin) return false;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

export async function createConsoleServer(o: ConsoleServerOptions) {
  const app = Fastify({ logger: false, trustProxy: false });
  await app.register(cookie);
  await app.register(formbody);
  const masked = pseudonymizer();
  const { config } = o;

  app.addHook('onSend', async (_req, reply) => {
    reply.headers(SECURITY_HEADERS);
  });

  app.setErrorHandler((err: unknown, req, reply) => {
    const e = err instanceof ConsoleError ? err : undefined;
    if (!e) o.log.error({ err, path: req.url }, 'console request failed');
    else if (e.status >= 500) o.log.error({ code: e.code, context: e.context, cause: e.cause }, e.message);
    const status = e?.status ?? 500;
    const message =
      e?.message ?? 'The console could not serve this page (internal error; see the console log).';
    void reply
      .status(status)
      .type('text/html; charset=utf-8')
      .send(
        layout(
          { title: status === 503 ? 'Not recorded, not shown' : 'Error' },
          html`<p class="error" role="alert">${message}</p><p><a href="/">Back to the overview</a></p>`,
        ),
      );
  });

  app.get('/static/console.css', async (_req, reply) =>
    reply.type('text/css').header('cache-control', 'max-age=3600').send(CONSOLE_CSS),
  );

  app.get('/login', async (_req, reply) =>
    reply.type('text/html; charset=utf-8').send(layout({ title: 'Log in' }, loginPage())),
  );

  app.post('/login', async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const username = typeof body['username'] === 'string' ? body['username'].trim() : '';
    const password = typeof body['password'] === 'string' ? body['password'] : '';
    const show = (status: number, msg: string) =>
      reply
        .status(status)
        .type('text/html; charset=utf-8')
        .send(layout({ title: 'Log in' }, loginPage(msg)));
    if (!sameOrigin(req)) return show(403, 'Refused: the login form must be posted from this console.');
    const limits = {
      maxFailures: config.CONSOLE_LOGIN_MAX_FAILURES,
      windowMinutes: config.CONSOLE_LOGIN_WINDOW_MINUTES,
    };
    if (await isThrottled(o.db, username, req.ip, limits)) {
      o.log.warn({ username, address: req.ip }, 'console login throttled');
      return show(
        429,
        `Too many failed logins: try again in ${config.CONSOLE_LOGIN_WINDOW_MINUTES} minutes.`,
      );
    }
    const user = await authenticate(o.db, username, password);
    if (!user) {
      await recordFailure(o.db, username, req.ip);
      o.log.warn({ username, address: req.ip }, 'console login failed');
      return show(401, 'Wrong username or password.');
    }
    const { token } = await createSession(o.db, user, req.ip, config.CONSOLE_SESSION_MINUTES);
    o.log.info({ username, role: user.role, address: req.ip }, 'console login');
    return reply
      .setCookie(SESSION_COOKIE, token, {
        path: '/',
        httpOnly: true,
        sameSite: 'strict',
        secure: config.CONSOLE_COOKIE_SECURE,
        maxAge: config.CONSOLE_SESSION_MINUTES * 60,
      })
      .redirect('/', 303);
  });

  app.post('/logout', async (req, reply) => {
    const token = req.cookies[SESSION_COOKIE];
    const session = await findSession(o.db, token);
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (session && !csrfMatches(session, body['csrf']))
      throw new ConsoleError(
        'DT_ERR_CONSOLE_CSRF',
        403,
        "Refused: the form did not carry this session's CSRF token.",
      );
    await endSession(o.db, token);
    return reply.clearCookie(SESSION_COOKIE, { path: '/' }).redirect('/login', 303);
  });

  const contextOf = async (req: FastifyRequest, reply: FastifyReply): Promise<RequestContext | undefined> => {
    const session = await findSession(o.db, req.cookies[SESSION_COOKIE]);
    if (!session) {
      await reply.redirect('/login', 303);
      return undefined;
    }
    return {
      session,
      mask: maskFor(session.user.role, masked),
      async readTrail(read) {
        const { value, count } = await read.query();
        await o.recorder.record({
          user: session.user,
          clientAddress: req.ip,
          page: read.page,
          path: req.url.split('?')[0] ?? req.url,
          parameters: recordedParameters((req.query ?? {}) as Record<string, unknown>),
          ...(count === undefined ? {} : { resultCount: count }),
        });
        return value;
      },
      page: (title, active, body) =>
        layout({ title, user: session.user, csrfToken: session.csrfToken, active }, body),
    };
  };

  registerTrailRoutes(app, contextOf, config, o.db);
  return app;
}
