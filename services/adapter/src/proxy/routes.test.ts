import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeRoute, parseProxyRoutes, parseUpstream, routeFor } from './routes.js';

test('parseUpstream: AE@host:port, host:port, IPv6 in brackets', () => {
  assert.deepEqual(parseUpstream('PACS@10.0.0.5:104'), { aeTitle: 'PACS', host: '10.0.0.5', port: 104 });
  assert.deepEqual(parseUpstream('pacs.local:11112'), { host: 'pacs.local', port: 11112 });
  assert.deepEqual(parseUpstream('ARCH@[::1]:4242'), { aeTitle: 'ARCH', host: '::1', port: 4242 });
  assert.equal(describeRoute(parseUpstream('ARCH@[::1]:4242')), 'ARCH@[::1]:4242');
});

test('parseUpstream: malformed specs are refused with the reason', () => {
  assert.throws(() => parseUpstream('PACS@host'), /expected host:port/);
  assert.throws(() => parseUpstream('host:0'), /port must be 1-65535/);
  assert.throws(() => parseUpstream('host:99999'), /port must be 1-65535/);
  assert.throws(() => parseUpstream('A_TITLE_LONGER_THAN_16@h:1'), /AE title must be 1-16/);
  assert.throws(() => parseUpstream(':104'), /expected host:port/);
});

test('routes: the called AE title picks its route, else the default; none: undefined', () => {
  const r = parseProxyRoutes('10.0.0.9:104', ['CT_PACS=CTARCH@10.0.0.5:104', 'MR_PACS=10.0.0.6:11112']);
  assert.deepEqual(routeFor(r, 'CT_PACS'), { aeTitle: 'CTARCH', host: '10.0.0.5', port: 104 });
  assert.deepEqual(routeFor(r, 'MR_PACS '), { host: '10.0.0.6', port: 11112 }, 'AE titles are space-padded');
  assert.deepEqual(routeFor(r, 'OTHER'), { host: '10.0.0.9', port: 104 });
  assert.equal(routeFor(parseProxyRoutes(undefined, ['A=h:1']), 'B'), undefined);
  assert.throws(
    () => parseProxyRoutes(undefined, ['A=h:1', 'A=h:2']),
    /a second route for called AE title A/,
  );
  assert.throws(() => parseProxyRoutes(undefined, ['h:1']), /expected CALLED_AE=/);
});
