import { InfraUnavailableError } from './env.js';

/**
 * The Zipkin that trace tests export to and query: ZIPKIN_URL (what `npm test` exports after
 * infra/trace-backend/zipkin.sh start), else an error naming the start command. No test silently skips.
 */
export function zipkinUrl(): string {
  const url = process.env['ZIPKIN_URL'];
  if (url) return url.replace(/\/+$/, '');
  throw new InfraUnavailableError(
    'DT_ERR_NO_ZIPKIN',
    'no Zipkin for trace tests: run them with `npm test` (it starts Zipkin from infra/trace-backend), or start it ' +
      'yourself with `infra/trace-backend/zipkin.sh start` and export ZIPKIN_URL=http://127.0.0.1:9411',
  );
}
