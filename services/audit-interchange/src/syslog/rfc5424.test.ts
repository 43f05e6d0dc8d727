import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuditMessage } from '../audit-message.js';
import { EVENT, ROLE } from '../codes.js';
import { headerField, octetCountingFrame, sdValue, syslogMessage } from './rfc5424.js';

const message: AuditMessage = {
  id: '0b7e6f1c-3a7d-8e2f-9a41-5c6d7e8f9a0b',
  eventId: EVENT.query,
  action: 'E',
  dateTime: '2026-12-07T18:56:31.388059Z',
  outcome: 0,
  eventTypes: [],
  participants: [{ userId: 'VIEWER', userIsRequestor: true, roles: [ROLE.source] }],
  source: { id: 'node-1', typeCodes: [] },
  objects: [],
  trace: {
    traceId: '93d0806511a090707d9da75a03b3badf',
    spanId: '44f4f44d470d0668',
    associationId: '8fa8d72e-eb52-4fa4-bc6d-fbd2af967c64',
  },
};

test('an RFC 5424 message: PRI 85, version 1, the event time, ATNA MSGID, dicomtrail SD, BOM, the XML', () => {
  const bytes = syslogMessage(message, { hostname: 'gw-01', appName: 'dicomtrail', procId: '4242' });
  const head =
    '<85>1 2026-12-07T18:56:31.388059Z gw-01 dicomtrail 4242 IHE+RFC-3881 [dicomtrail@32473 id="0b7e6f1c-3a7d-8e2f-9a41-5c6d7e8f9a0b" traceparent="00-93d0806511a090707d9da75a03b3badf-44f4f44d470d0668-01" association="8fa8d72e-eb52-4fa4-bc6d-fbd2af967c64"] ';
  assert.equal(bytes.subarray(0, Buffer.byteLength(head)).toString('utf8'), head);
  const rest = bytes.subarray(Buffer.byteLength(head));
  assert.deepEqual([...rest.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  assert.match(rest.subarray(3).toString('utf8'), /^<\?xml version="1.0" encoding="UTF-8"\?><AuditMessage>/);
});

test('a failure is severity 4 (PRI 84); an empty PROCID is the NILVALUE', () => {
  const bytes = syslogMessage({ ...message, outcome: 4 }, { hostname: 'gw-01', appName: 'dicomtrail' });
  assert.match(bytes.toString('utf8'), /^<84>1 \S+ gw-01 dicomtrail - IHE\+RFC-3881 /);
});

test('header fields: printable US-ASCII only, truncated to their limits; SD values escaped', () => {
  assert.equal(headerField('a b\u00e9c', 48), 'abc');
  assert.equal(headerField('x'.repeat(300), 255).length, 255);
  assert.equal(headerField('', 48), '-');
  assert.equal(sdValue('a"b\\c]d'), 'a\\"b\\\\c\\]d');
});

test('RFC 5425 octet counting: the byte length (not characters), a space, the message', () => {
  const msg = Buffer.from('<85>1 é', 'utf8');
  assert.equal(octetCountingFrame(msg).toString('utf8'), `${msg.length} <85>1 é`);
  assert.equal(msg.length, 8);
});
