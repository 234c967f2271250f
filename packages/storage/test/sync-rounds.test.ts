// Proves group commit across logs: fsyncs asked for in one turn run as one round, a log asking
// during a round waits for the next, each log is released when its own fsync is done, a failed
// fsync fails only its own log, and a TopicStore's partitions share rounds under real writes.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { SyncRounds, TopicStore } from '../src/index.js'
import { countingIo, makeBatch, removeTempDirectories, tempDirectory } from './helpers.js'

test.after.each(removeTempDirectories)

function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void
  const promise = new Promise<void>((resolve) => {
    open = resolve
  })
  return { promise, open }
}

const turn = () => new Promise((resolve) => setImmediate(resolve))

test('syncs asked for in one turn share a round; one asked during a round waits for the next', async () => {
  const rounds = new SyncRounds()
  const started: string[] = []
  const slow = gate()
  const first = rounds.join(async () => {
    started.push('a')
    await slow.promise
    return 1
  })
  const second = rounds.join(async () => {
    started.push('b')
    return 2
  })
  await turn()
  assert.equal(started, ['a', 'b'])
  assert.is(await second, 2, 'released on its own fsync, before the round ends')

  const late = rounds.join(async () => {
    started.push('c')
    return 3
  })
  await turn()
  await turn()
  assert.equal(started, ['a', 'b'], 'the next round waits for the running one')
  slow.open()
  assert.is(await first, 1)
  assert.is(await late, 3)
  assert.equal(started, ['a', 'b', 'c'])
  assert.equal(rounds.stats(), { rounds: 2, syncs: 3, largestRound: 2 })
})

test('a failed fsync rejects only its own log', async () => {
  const rounds = new SyncRounds()
  const failing = rounds.join(async () => {
    throw Object.assign(new Error('EIO: injected'), { code: 'EIO' })
  })
  const throwing = rounds.join(() => {
    throw new Error('thrown before any promise')
  })
  const fine = rounds.join(async () => 7)
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => 'resolved',
      (error: Error) => error.message,
    )
  assert.match(await failure(failing), /EIO/)
  assert.match(await failure(throwing), /thrown before/)
  assert.is(await fine, 7)
  assert.is(await rounds.join(async () => 8), 8, 'later rounds still run')
})

test("a TopicStore's partitions group-commit together under real fsyncs", async () => {
  const io = countingIo()
  const store = await TopicStore.open(tempDirectory(), { io })
  await store.createTopic('t', 8, { fsync: 'always' })
  const topic = store.topic('t')
  const before = store.syncStats()!
  const writes: Promise<unknown>[] = []
  for (let round = 0; round < 20; round++) {
    for (let partition = 0; partition < 8; partition++) writes.push(topic.append(partition, makeBatch(1)))
  }
  await Promise.all(writes)
  const after = store.syncStats()!
  const rounds = after.rounds - before.rounds
  const syncs = after.syncs - before.syncs
  assert.ok(syncs >= 8, `every partition fsynced (${syncs} fsyncs)`)
  assert.ok(rounds < syncs, `${syncs} partition fsyncs ran in ${rounds} rounds`)
  assert.ok(after.largestRound >= 2, `largest round ${after.largestRound}`)
  for (let partition = 0; partition < 8; partition++) {
    assert.is(topic.partition(partition).durableEndOffset, 20, `partition ${partition} is durable`)
  }
  await store.close()
})

test('an observer is told how long each fsync took, failed ones included, by its own clock', async () => {
  let nowMs = 100
  const durations: number[] = []
  const rounds = new SyncRounds(undefined, { now: () => nowMs, synced: (ms) => durations.push(ms) })
  const slow = gate()
  const first = rounds.join(async () => {
    await slow.promise
    return 1
  })
  const failed = rounds.join(async () => {
    nowMs += 2
    throw new Error('disk gone')
  })
  const failure = await failed.then(
    () => 'synced',
    (error: Error) => error.message,
  )
  assert.is(failure, 'disk gone')
  nowMs += 5
  slow.open()
  assert.is(await first, 1)
  assert.equal(durations, [2, 7])
})

test.run()
