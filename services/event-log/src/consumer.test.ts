import assert from 'node:assert/strict';
import { test } from 'node:test';
import kafkajs from 'kafkajs';
import { isRebalanceError } from './consumer.js';

const { KafkaJSNonRetriableError, KafkaJSProtocolError } = kafkajs;

test('isRebalanceError: commits refused while group membership changes are recognised, others are not', () => {
  const protocol = (type: string) => Object.assign(new KafkaJSProtocolError('x'), { type });
  assert.equal(isRebalanceError(protocol('REBALANCE_IN_PROGRESS')), true);
  assert.equal(isRebalanceError(protocol('UNKNOWN_MEMBER_ID')), true);
  assert.equal(isRebalanceError(protocol('ILLEGAL_GENERATION')), true);
  assert.equal(isRebalanceError(new KafkaJSNonRetriableError('Consumer group was not initialized')), true);
  assert.equal(isRebalanceError(protocol('TOPIC_AUTHORIZATION_FAILED')), false);
  assert.equal(isRebalanceError(new Error('connect ECONNREFUSED')), false);
  assert.equal(isRebalanceError('REBALANCE_IN_PROGRESS'), false);
});
