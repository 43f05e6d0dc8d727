/**
 * Where the audit proxy waits, measured inside its process (proxy.bench.ts loads this with `node --import`
 * when BENCH_PROXY_PROBE is set): for each message, the time from the 'data' event of the socket it arrived
 * on to the next write on the paired socket: a request from the modality to its going upstream, a response
 * from the PACS to its going back to the modality. A response's time is split into what the write-ahead log
 * took on this thread (fdatasync, the write of its records) and the rest; "after the sync" is from the last
 * fdatasync to the write. Bench-only instrumentation: it wraps net.Socket's `emit` and `_writeGeneric` (the
 * point where a corked write reaches the kernel) and fs's `fdatasyncSync` and `writeSync`.
 *
 * DT_PROBE_UPSTREAM_PORT: the PACS's port (the proxy's upstream sockets are those connected to it).
 * DT_PROBE_OUT: on SIGUSR2 the medians (µs) so far are written there as JSON, and the samples cleared.
 */
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';

const upstreamPort = Number(process.env['DT_PROBE_UPSTREAM_PORT']);
const out = process.env['DT_PROBE_OUT'] ?? '';
const now = (): number => performance.now();

let requestSince = 0;
let responseSince = 0;
let synced = 0;
let wrote = 0;
let syncEnd = 0;
const samples = {
  request_to_upstream: [] as number[],
  response_to_modality: [] as number[],
  of_which_fdatasync: [] as number[],
  of_which_log_write: [] as number[],
  after_the_sync: [] as number[],
};

const isUpstream = (s: net.Socket): boolean => s.remotePort === upstreamPort;

type SocketInternals = { _writeGeneric: (...a: unknown[]) => unknown };
const proto = net.Socket.prototype as unknown as SocketInternals & net.Socket;
const emit = proto.emit as (this: net.Socket, ...a: unknown[]) => boolean;
proto.emit = function (this: net.Socket, event: string | symbol, ...args: unknown[]): boolean {
  if (event === 'data') {
    if (isUpstream(this)) {
      if (!responseSince) {
        responseSince = now();
        synced = 0;
        wrote = 0;
      }
    } else if (!requestSince) requestSince = now();
  }
  return emit.apply(this, [event, ...args]);
} as typeof proto.emit;
const writeGeneric = proto._writeGeneric;
proto._writeGeneric = function (this: net.Socket, ...args: unknown[]): unknown {
  const t = now();
  if (isUpstream(this)) {
    if (requestSince) samples.request_to_upstream.push(t - requestSince);
    requestSince = 0;
  } else if (responseSince) {
    samples.response_to_modality.push(t - responseSince);
    samples.of_which_fdatasync.push(synced);
    samples.of_which_log_write.push(wrote);
    if (syncEnd > responseSince) samples.after_the_sync.push(t - syncEnd);
    responseSince = 0;
  }
  return writeGeneric.apply(this, args);
};

const timed = <F extends (...a: never[]) => unknown>(f: F, add: (ms: number, end: number) => void): F =>
  function (this: unknown, ...a: Parameters<F>) {
    const t = now();
    try {
      return f.apply(this, a);
    } finally {
      const end = now();
      add(end - t, end);
    }
  } as F;
fs.fdatasyncSync = timed(fs.fdatasyncSync, (ms, end) => {
  synced += ms;
  syncEnd = end;
});
fs.writeSync = timed(fs.writeSync, (ms) => {
  wrote += ms;
});
syncBuiltinESMExports();

const medianUs = (xs: number[]): number | null => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.floor(s.length / 2)]! * 1000);
};

process.on('SIGUSR2', () => {
  const report = Object.fromEntries(
    Object.entries(samples).map(([k, v]) => [k, { n: v.length, median_us: medianUs(v) }]),
  );
  for (const v of Object.values(samples)) v.length = 0;
  if (out) fs.writeFileSync(`${out}.tmp`, JSON.stringify(report));
  if (out) fs.renameSync(`${out}.tmp`, out);
});
