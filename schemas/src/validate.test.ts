import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { EventOf } from './event.js';
import { EVENT_TYPES } from './event-types.js';
import { assertEvent, EventValidationError, isEvent, parseEvent, validatorFor } from './validate.js';

const examples = (kind: 'valid' | 'invalid') => {
  const dir = new URL(`../../examples/${kind}/`, import.meta.url);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => ({
      name: f.replace(/\.json$/, ''),
      value: JSON.parse(readFileSync(new URL(f, dir), 'utf8')) as unknown,
    }));
};

test('every valid example parses, and the event is the input object', () => {
  const valid = examples('valid');
  assert.ok(valid.length >= 12);
  for (const { name, value } of valid) {
    const result = parseEvent(value);
    assert.ok(result.ok, `${name}: ${JSON.stringify(!result.ok && result.errors)}`);
    assert.equal(result.event, value);
    assert.equal(isEvent(value), true, name);
  }
});

test('valid examples cover the families the brief names', () => {
  const types = new Set(examples('valid').map(({ value }) => (value as { type: string }).type));
  for (const type of [
    'EVT_CONN_OPEN',
    'EVT_FSM_TRANSITION',
    'EVT_PDU_RECV',
    'EVT_REQUESTED',
    'EVT_REJECTED',
    'EVT_ABORTED',
    'EVT_C_STORE',
    'EVT_C_FIND',
    'EVT_N_ACTION',
    'EVT_USER_ID',
    'EVT_C_CANCEL',
    'EVT_INVALID_PDU',
  ]) {
    assert.ok(types.has(type), type);
  }
});

// name -> the code and the exact path of the first reported error
const EXPECTED_FAILURES: Record<string, { code: string; path: string }> = {
  'missing-id': { code: 'invalid_event', path: '/id' },
  'timestamp-without-microseconds': { code: 'invalid_event', path: '/timestamp' },
  'negative-seq': { code: 'invalid_event', path: '/seq' },
  'unknown-major': { code: 'unknown_schema_major', path: '/schema' },
  'user-identity-with-secondary-field': {
    code: 'invalid_event',
    path: '/association/negotiation/user_identity/secondary_field',
  },
  'wrong-params-for-type': { code: 'invalid_event', path: '/params/current_state' },
  'unknown-type': { code: 'unknown_type', path: '/type' },
  'kind-mismatch': { code: 'invalid_event', path: '/kind' },
  'id-not-uuidv7': { code: 'invalid_event', path: '/id' },
  'token-as-primary-field': { code: 'invalid_event', path: '/params/user_identity/primary_field' },
  'dataset-lowercase-tag': { code: 'invalid_event', path: '/params/dataset/7fe00010' },
  'zero-trace-id': { code: 'invalid_event', path: '/trace/trace_id' },
  'calling-ae-title-with-nul': { code: 'invalid_event', path: '/association/calling_ae_title' },
  'sop-instance-uid-with-escape': { code: 'invalid_event', path: '/params/affected_sop_instance_uid' },
};

test('a control character in an AE title or a UID is refused, and the reason names it', () => {
  const nul = parseEvent(examples('invalid').find((e) => e.name === 'calling-ae-title-with-nul')!.value);
  assert.ok(!nul.ok);
  assert.deepEqual(nul.errors[0], {
    path: '/association/calling_ae_title',
    message: 'contains control character U+0000 at index 4 (AE titles and UIDs hold none)',
  });
  const esc = parseEvent(examples('invalid').find((e) => e.name === 'sop-instance-uid-with-escape')!.value);
  assert.ok(!esc.ok);
  assert.match(esc.errors[0]!.message, /^contains control character U\+001B at index 5/);
  // The text of an escape is not a control character: a backslash and 'u0000' pass.
  const text = structuredClone(
    examples('valid').find((e) => e.name === 'requested-with-negotiation')!.value,
  ) as { association: { calling_ae_title: string } };
  text.association.calling_ae_title = 'EVIL\\u0000';
  assert.ok(parseEvent(text).ok);
});

test('every invalid example fails with the expected code at the expected path', () => {
  const invalid = examples('invalid');
  assert.deepEqual(invalid.map((e) => e.name).sort(), Object.keys(EXPECTED_FAILURES).sort());
  for (const { name, value } of invalid) {
    const result = parseEvent(value);
    assert.equal(result.ok, false, name);
    if (result.ok) continue;
    const expected = EXPECTED_FAILURES[name]!;
    assert.equal(result.code, expected.code, name);
    assert.equal(result.errors[0]?.path, expected.path, `${name}: ${JSON.stringify(result.errors)}`);
    assert.equal(isEvent(value), false, name);
  }
});

test('a missing id is reported as a missing required property', () => {
  const missing = examples('invalid').find((e) => e.name === 'missing-id')!;
  const result = parseEvent(missing.value);
  assert.ok(!result.ok);
  assert.deepEqual(result.errors[0], { path: '/id', message: 'Expected required property' });
});

test('non-objects and malformed schema ids', () => {
  for (const x of [null, 1, 'x', [], undefined]) {
    const result = parseEvent(x);
    assert.ok(!result.ok && result.code === 'not_an_object');
  }
  for (const schema of [
    undefined,
    'dicomtrail.event',
    'other/1',
    'dicomtrail.event/01',
    'dicomtrail.event/3.1',
  ]) {
    const result = parseEvent({ schema, type: 'EVT_CONN_OPEN' });
    assert.ok(!result.ok && result.code === 'unknown_schema_major', String(schema));
    assert.equal(result.errors[0]?.path, '/schema');
  }
});

test('a minor version of major 1 is accepted', () => {
  const event = structuredClone(examples('valid').find((e) => e.name === 'conn-open')!.value) as {
    schema: string;
  };
  event.schema = 'dicomtrail.event/1.3';
  assert.ok(parseEvent(event).ok);
});

test('assertEvent returns the event or throws a coded EventValidationError', () => {
  const good = examples('valid')[0]!.value;
  assert.equal(assertEvent(good), good);
  const bad = examples('invalid').find((e) => e.name === 'unknown-major')!.value;
  assert.throws(
    () => assertEvent(bad),
    (err: unknown) =>
      err instanceof EventValidationError &&
      err.code === 'unknown_schema_major' &&
      err.errors[0]?.path === '/schema' &&
      err.message.includes('unknown_schema_major'),
  );
});

test('every event type has a compiled validator, compiled once', () => {
  for (const type of EVENT_TYPES) assert.equal(validatorFor(type), validatorFor(type));
});

test('types: the union narrows on type, EventOf gives one member', () => {
  const store = examples('valid').find((e) => e.name === 'c-store-bulk-elision')!.value;
  const event = assertEvent(store);
  assert.equal(event.type, 'EVT_C_STORE');
  if (event.type !== 'EVT_C_STORE') return;
  const typed: EventOf<'EVT_C_STORE'> = event;
  assert.equal(typed.params.stored?.bytes, 525120);
  assert.equal(typed.association.role, 'acceptor');
  assert.equal(typed.params.dataset['7FE00010']?.BulkData?.length, 524288);
  const retention = assertEvent(examples('valid').find((e) => e.name === 'retention')!.value);
  if (retention.type === 'EVT_RETENTION') assert.equal('association' in retention, false);
});
