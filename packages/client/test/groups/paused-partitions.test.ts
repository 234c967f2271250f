// Proves the group consumer's paused set: listed partitions and whole topics pause, a paused topic covers partitions assigned later, resuming one partition of a paused topic keeps the topic's other owned partitions paused, and paused() lists only owned partitions in KafkaJS's shape.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { PausedPartitions } from '../../src/groups/paused-partitions.js'

const owned = (topic: string, ...partitions: number[]) =>
  partitions.map((partition) => ({ topic, partition }))

test('listed partitions pause; paused() lists the owned ones per topic, sorted', () => {
  const paused = new PausedPartitions()
  paused.pause([
    { topic: 'a', partitions: [2, 0] },
    { topic: 'b', partitions: [5] },
  ])
  assert.equal(paused.list([...owned('a', 0, 1, 2), ...owned('b', 1)]), [{ topic: 'a', partitions: [0, 2] }])
  assert.ok(paused.isPaused('b', 5), 'kept while not owned: it is paused if it comes back')
})

test('a whole topic covers partitions assigned later; resuming it clears its partitions too', () => {
  const paused = new PausedPartitions()
  paused.pause([{ topic: 'a', partitions: [1] }, { topic: 'a' }])
  assert.ok(paused.isPaused('a', 9))
  paused.resume([{ topic: 'a' }], owned('a', 0, 1))
  assert.not.ok(paused.isPaused('a', 1))
  assert.equal(paused.list(owned('a', 0, 1)), [])
})

test('resuming one partition of a paused topic keeps its other owned partitions paused', () => {
  const paused = new PausedPartitions()
  paused.pause([{ topic: 'a' }])
  paused.resume([{ topic: 'a', partitions: [1] }], owned('a', 0, 1, 2))
  assert.equal(paused.list(owned('a', 0, 1, 2)), [{ topic: 'a', partitions: [0, 2] }])
  assert.not.ok(paused.isPaused('a', 7), 'the topic as a whole is no longer paused')
})

test.run()
