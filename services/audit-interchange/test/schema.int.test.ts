/**
 * Every message the captured traffic give validates against the PS3.15 A.5.1 schema (xmllint --relaxng), and
 * the schema is a real check: messages broken the ways a mapping could break them are refused.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { auditMessageXml } from '../src/xml/audit-message-xml.js';
import { captureMessages, loadCapture, loadSecurityEvents } from './support/captured-traffic.js';
import { xmllint } from './support/validators.js';

test('every message of both captured traffic and of the TLS and identity refusals is valid against the A.5.1 schema', async () => {
  const security = captureMessages(loadSecurityEvents());
  assert.deepEqual(
    security.map((m) => m.eventId.code),
    ['110113', '110113', '110113', '110114', '110113'],
  );
  const messages = [
    ...captureMessages(loadCapture('audit-capture')),
    ...captureMessages(loadCapture('proxy-capture')),
    ...security,
  ];
  const kinds = new Set(messages.map((m) => m.eventId.code));
  assert.deepEqual([...kinds].sort(), [
    '110100',
    '110102',
    '110103',
    '110104',
    '110109',
    '110112',
    '110113',
    '110114',
  ]);
  const verdict = await xmllint(messages.map(auditMessageXml));
  assert.deepEqual(verdict.invalid, []);
  assert.equal(verdict.valid, messages.length);
});

test('the schema refuses a message without EventDateTime, with a bad outcome, or without an active participant', async () => {
  const good = auditMessageXml(captureMessages(loadCapture('audit-capture'))[0]!);
  const broken = [
    good.replace(/ EventDateTime="[^"]*"/, ''),
    good.replace('EventOutcomeIndicator="0"', 'EventOutcomeIndicator="3"'),
    good.replace(/<ActiveParticipant[\s\S]*<\/ActiveParticipant>/, ''),
    good.replace('UserIsRequestor="false"', 'UserIsRequestor="no"'),
  ];
  assert.ok(broken.every((b) => b !== good));
  const verdict = await xmllint(broken);
  assert.equal(verdict.valid, 0);
  assert.equal(verdict.invalid.length, broken.length);
});

test('the schema refuses a participant object with neither name nor query, or a SOPClass outside ParticipantObjectDescription', async () => {
  const transferred = captureMessages(loadCapture('audit-capture')).find((m) => m.eventId.code === '110104')!;
  const good = auditMessageXml(transferred);
  const broken = [
    good.replace(/<ParticipantObjectName>[^<]*<\/ParticipantObjectName>/g, ''),
    good.replace(/<ParticipantObjectDescription>([\s\S]*?)<\/ParticipantObjectDescription>/, '$1'),
  ];
  assert.ok(broken.every((b) => b !== good));
  const verdict = await xmllint([good, ...broken]);
  assert.equal(verdict.valid, 1);
  assert.deepEqual(
    verdict.invalid.map((i) => i.index),
    [1, 2],
  );
});
