import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseMoveDestinations } from '../archive/move-destinations.js';
import { describeRoute, parseProxyRoutes } from '../proxy/routes.js';
import { describeOutboundTls, loadOutboundTls, splitTlsAddress } from './outbound-tls.js';

test('given an address without tls://, then it comes back as it is', () => {
  assert.deepEqual(splitTlsAddress(' PACS@10.0.0.9:104 '), { address: 'PACS@10.0.0.9:104' });
});

test('given tls:// with files and a server name, then they are taken apart', () => {
  const r = splitTlsAddress(
    'tls://PACS@10.0.0.9:2762?ca=/etc/ca.pem&cert=/etc/p.pem&key=/etc/p.key&servername=pacs.example',
  );
  assert.deepEqual(r, {
    address: 'PACS@10.0.0.9:2762',
    tls: { files: { ca: '/etc/ca.pem', cert: '/etc/p.pem', key: '/etc/p.key' }, servername: 'pacs.example' },
  });
  assert.equal(
    describeOutboundTls(r.tls),
    '?ca=%2Fetc%2Fca.pem&cert=%2Fetc%2Fp.pem&key=%2Fetc%2Fp.key&servername=pacs.example',
  );
});

test('given tls:// alone, then the defaults apply (no files named)', () => {
  assert.deepEqual(splitTlsAddress('TLS://host:2762'), { address: 'host:2762', tls: { files: {} } });
});

test('given an unknown parameter, a cert without its key or an empty value, then the error names it', () => {
  assert.throws(() => splitTlsAddress('tls://h:1?password=x'), /unknown TLS parameter "password"/);
  assert.throws(() => splitTlsAddress('tls://h:1?cert=/c.pem'), /cert and key go together/);
  assert.throws(() => splitTlsAddress('tls://h:1?ca='), /empty ca/);
});

test('given tls:// proxy routes and move destinations, then each keeps its TLS leg and the log line shows it', () => {
  const routes = parseProxyRoutes('tls://10.0.0.9:2762', [
    'CT=tls://PACS@pacs.example:2762?ca=/etc/ca.pem',
    'US=us:104',
  ]);
  assert.deepEqual(routes.fallback, { host: '10.0.0.9', port: 2762, tls: { files: {} } });
  const ct = routes.byCalledAe.get('CT')!;
  assert.deepEqual(ct, {
    aeTitle: 'PACS',
    host: 'pacs.example',
    port: 2762,
    tls: { files: { ca: '/etc/ca.pem' } },
  });
  assert.equal(describeRoute(ct), 'tls://PACS@pacs.example:2762?ca=%2Fetc%2Fca.pem');
  assert.equal(routes.byCalledAe.get('US')!.tls, undefined);
  assert.throws(
    () => parseProxyRoutes('tls://h:1?bogus=1', []),
    /proxy route "tls:\/\/h:1\?bogus=1": .*unknown TLS parameter/,
  );
  const dest = parseMoveDestinations([
    'VIEWER=tls://10.0.0.7:2762?servername=viewer.example',
    'PLAIN=10.0.0.8:104',
  ]);
  assert.deepEqual(dest.get('VIEWER'), {
    host: '10.0.0.7',
    port: 2762,
    tls: { files: {}, servername: 'viewer.example' },
  });
  assert.deepEqual(dest.get('PLAIN'), { host: '10.0.0.8', port: 104 });
  assert.throws(
    () => parseMoveDestinations(['X=tls://h:1?cert=/c']),
    /X=tls:\/\/h:1\?cert=\/c .*cert and key go together/,
  );
});

test('given a tls:// leg with no CA anywhere, then loading it says so', () => {
  const tls = splitTlsAddress('tls://h:1').tls!;
  assert.throws(
    () => loadOutboundTls(tls, {}, 'PROXY_UPSTREAM'),
    /"PROXY_UPSTREAM": a tls:\/\/ address needs a CA/,
  );
});
