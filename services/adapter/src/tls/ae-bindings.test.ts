import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aeBindingRefusal, certificateIdentities, parseAeBindings } from './ae-bindings.js';
import { TEST_CERTIFICATE } from './test-certificate.test-support.js';

test('given bindings by CN and SAN, separated by ; and line breaks with comments, then each is parsed', () => {
  const b = parseAeBindings('CN=modality-01:CT01|CT02; SAN=us.example:US01\n# a comment\nSAN=10.0.0.5:*');
  assert.deepEqual(b.bindings, [
    { kind: 'CN', identity: 'modality-01', aeTitles: ['CT01', 'CT02'] },
    { kind: 'SAN', identity: 'us.example', aeTitles: ['US01'] },
    { kind: 'SAN', identity: '10.0.0.5', aeTitles: ['*'] },
  ]);
  assert.deepEqual([...b.claimed], ['CT01', 'CT02', 'US01']);
});

test('given malformed bindings, then the error names the binding and what is expected', () => {
  assert.throws(() => parseAeBindings('modality-01=CT01'), /"modality-01=CT01": expected CN=NAME:AE1\|AE2/);
  assert.throws(() => parseAeBindings('CN=modality-01'), /expected NAME:AE1\|AE2/);
  assert.throws(() => parseAeBindings('CN=x:ABCDEFGHIJKLMNOPQ'), /AE title "ABCDEFGHIJKLMNOPQ" must be 1-16/);
  assert.throws(() => parseAeBindings(' ; # nothing'), /no binding/);
});

test('given a certificate, then its identities are its CN and each SAN', () => {
  assert.deepEqual(certificateIdentities(TEST_CERTIFICATE), [
    'CN=modality-01',
    'SAN=ct01.example.org',
    'SAN=10.0.0.5',
  ]);
});

test('given a certificate bound by CN, then it may call as its AE titles only', () => {
  const b = parseAeBindings('CN=modality-01:CT01|CT02;CN=other:MR01');
  assert.equal(aeBindingRefusal(b, TEST_CERTIFICATE, 'CT02'), undefined);
  assert.equal(aeBindingRefusal(b, TEST_CERTIFICATE, 'CT01  '), undefined);
  assert.equal(
    aeBindingRefusal(b, TEST_CERTIFICATE, 'MR01'),
    'certificate CN=modality-01 may not call as AE "MR01" (bound to CT01|CT02)',
  );
});

test('given a binding by DNS SAN (any case) or IP SAN, then it matches', () => {
  assert.equal(
    aeBindingRefusal(parseAeBindings('SAN=CT01.Example.org:CT01'), TEST_CERTIFICATE, 'CT01'),
    undefined,
  );
  assert.equal(aeBindingRefusal(parseAeBindings('SAN=10.0.0.5:CT01'), TEST_CERTIFICATE, 'CT01'), undefined);
});

test('given a certificate bound to nothing, then every AE title is refused', () => {
  assert.match(
    aeBindingRefusal(parseAeBindings('CN=someone-else:CT01'), TEST_CERTIFICATE, 'ANY') ?? '',
    /certificate CN=modality-01 is bound to no AE title/,
  );
});

test('given *, then the certificate may call as any AE title no other binding claims', () => {
  const b = parseAeBindings('CN=modality-01:*;CN=other:MR01');
  assert.equal(aeBindingRefusal(b, TEST_CERTIFICATE, 'WHATEVER'), undefined);
  assert.match(aeBindingRefusal(b, TEST_CERTIFICATE, 'MR01') ?? '', /may not call as AE "MR01"/);
});

test('given no certificate, then only AE titles that no binding claims may be used', () => {
  const b = parseAeBindings('CN=modality-01:CT01');
  assert.equal(aeBindingRefusal(b, undefined, 'WS01'), undefined);
  assert.match(
    aeBindingRefusal(b, undefined, 'CT01') ?? '',
    /bound to a client certificate, and this connection presented none/,
  );
});
