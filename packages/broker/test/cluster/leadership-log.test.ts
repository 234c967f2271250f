// Proves a leader change is logged at info once, by the broker that won it: other brokers' view of it, leaderless intervals and a broker alone log at debug.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { leadershipLogLevel } from '../../src/cluster/leadership-log.js'

test('the new leader logs its own election at info', () => {
  assert.is(leadershipLogLevel(2, 2, false), 'info')
})

test('another broker learning who leads logs it at debug', () => {
  assert.is(leadershipLogLevel(2, 1, false), 'debug')
  assert.is(leadershipLogLevel(3, 1, false), 'debug')
})

test('no leader (0) is debug on every broker, the old leader included', () => {
  assert.is(leadershipLogLevel(0, 1, false), 'debug')
  assert.is(leadershipLogLevel(0, 0, false), 'debug')
})

test('a broker alone elects itself for every group at start: debug', () => {
  assert.is(leadershipLogLevel(1, 1, true), 'debug')
})

test.run()
