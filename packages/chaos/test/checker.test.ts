// The checker finds each kind of violation in a hand-made history holding exactly that one, and
// passes the clean history they are all made from.
import * as assert from 'node:assert/strict'
import { test } from 'uvu'
import { checkHistory } from '../src/checker.js'
import type { Ack, History } from '../src/history.js'

const startMs = 1_000_000

function ack(producer: string, sequence: number, partition: number, offset: number, timeMs: number): Ack {
  return { producer, sequence, value: `${producer}:${sequence}`, partition, offset, timeMs }
}

/** Two producers on two partitions, a member polling partition 0, every record read back. */
function cleanHistory(): History {
  const acks = [
    ack('p1', 0, 0, 0, startMs + 100),
    ack('p1', 1, 1, 0, startMs + 200),
    ack('p1', 2, 0, 1, startMs + 300),
    ack('p2', 0, 0, 2, startMs + 400),
    ack('p2', 1, 1, 2, startMs + 500),
    ack('p1', 3, 1, 1, startMs + 600),
  ]
  return {
    partitions: 2,
    startMs,
    endMs: startMs + 1000,
    acks,
    failures: [],
    polls: [0, 1, 2].map((offset) => ({
      member: 'm1',
      session: 1,
      partition: 0,
      offset,
      value: acks.find((entry) => entry.partition === 0 && entry.offset === offset)!.value,
      timeMs: startMs + 700 + offset,
    })),
    commits: [
      { member: 'm1', partition: 0, offset: 2, timeMs: startMs + 800 },
      { member: 'm1', partition: 0, offset: 3, timeMs: startMs + 900 },
    ],
    finalRead: acks.map(({ partition, offset, value }) => ({ partition, offset, value })),
    finalReadProblem: undefined,
    replicas: [{ partition: 0, committedEnd: 3, brokers: [1, 2, 3], disagreements: [], behind: [] }],
    faults: [{ timeMs: startMs + 350, description: 'SIGKILL broker 1', disruptive: true }],
  }
}

function violations(history: History) {
  const { acked, longestAckGapMs, longestAckGapPartition, failover, examples, pass, ...counts } =
    checkHistory(history)
  return { counts, pass, examples }
}

const none = {
  lost: 0,
  duplicates: 0,
  inconsistent: 0,
  orderViolations: 0,
  pollSkips: 0,
  nonMonotonicCommits: 0,
  replicasDiffer: 0,
}

test('a clean history passes with no violation', () => {
  const { counts, pass, examples } = violations(cleanHistory())
  assert.deepEqual(counts, none)
  assert.equal(pass, true)
  assert.deepEqual(examples, [])
})

test('an acknowledged value missing from the log is lost', () => {
  const history = cleanHistory()
  const { counts, pass, examples } = violations({
    ...history,
    finalRead: history.finalRead.filter((record) => record.value !== 'p2:1'),
  })
  assert.deepEqual(counts, { ...none, lost: 1 })
  assert.equal(pass, false)
  assert.match(examples[0]!, /p2:1 acked at 1\/2 is not in the log/)
})

test('a value twice in the log is a duplicate', () => {
  const history = cleanHistory()
  const { counts } = violations({
    ...history,
    finalRead: [...history.finalRead, { partition: 1, offset: 3, value: 'p2:1' }],
  })
  assert.deepEqual(counts, { ...none, duplicates: 1 })
})

test('an acked offset holding another value is inconsistent', () => {
  const history = cleanHistory()
  // p1:3 was acked at 1/1 but the log holds it at 1/3 and holds p1:9 (never acked) at 1/1.
  const finalRead = history.finalRead.map((record) =>
    record.value === 'p1:3' ? { ...record, offset: 3 } : record,
  )
  const { counts, examples } = violations({ ...history, finalRead })
  assert.deepEqual(counts, { ...none, inconsistent: 1 })
  assert.match(examples[0]!, /1\/1 acked for p1:3 holds nothing/)
})

test('two acks of one offset with different values are inconsistent', () => {
  const history = cleanHistory()
  const acks = [...history.acks, ack('p3', 0, 0, 0, startMs + 650)]
  const finalRead = [...history.finalRead, { partition: 0, offset: 9, value: 'p3:0' }]
  const { counts } = violations({ ...history, acks, finalRead })
  // p3:0 acked at 0/0, which holds p1:0: one inconsistency for the second ack and one for the slot.
  assert.equal(counts.inconsistent, 2)
  assert.equal(counts.lost, 0)
})

test('a polled record the log holds differently is inconsistent', () => {
  const history = cleanHistory()
  const polls = history.polls.map((poll) => (poll.offset === 1 ? { ...poll, value: 'p9:0' } : poll))
  const { counts } = violations({ ...history, polls })
  assert.deepEqual(counts, { ...none, inconsistent: 1 })
})

test('a final read that stopped short counts the acks it missed as lost, and judges no poll past it', () => {
  const history = cleanHistory()
  const finalRead = history.finalRead.filter((record) => !(record.partition === 0 && record.offset > 0))
  const { counts, examples } = violations({ ...history, finalRead, finalReadProblem: 'LOG_CORRUPTED' })
  // p1:2 (0/1) and p2:0 (0/2) unreadable: lost; the polls of 0/1 and 0/2 are not judged.
  assert.deepEqual(counts, { ...none, lost: 2 })
  assert.match(examples[0]!, /not in the log \(final read: LOG_CORRUPTED\)/)
})

test('acked offsets out of sequence order are an order violation', () => {
  const history = cleanHistory()
  // p1's sequences 0 and 2 on partition 0 acked at offsets 1 and 0 (and so held in the log).
  const swap = (offset: number) => (offset === 0 ? 1 : offset === 1 ? 0 : offset)
  const acks = history.acks.map((entry) =>
    entry.partition === 0 ? { ...entry, offset: swap(entry.offset) } : entry,
  )
  const finalRead = acks.map(({ partition, offset, value }) => ({ partition, offset, value }))
  const polls = history.polls.map((poll) => ({
    ...poll,
    value: finalRead.find((record) => record.partition === 0 && record.offset === poll.offset)!.value,
  }))
  const { counts } = violations({ ...history, acks, finalRead, polls })
  // Once in the acks, once in the log's order.
  assert.deepEqual(counts, { ...none, orderViolations: 2 })
})

test('consecutive polls passing over a record in the log are a poll skip', () => {
  const history = cleanHistory()
  const { counts, examples } = violations({
    ...history,
    polls: history.polls.filter((poll) => poll.offset !== 1),
  })
  assert.deepEqual(counts, { ...none, pollSkips: 1 })
  assert.match(examples[0]!, /m1 polled 0\/0 then 2, skipping 1/)
})

test('a gap of offsets the log does not hold (a control batch) is not a poll skip', () => {
  const history = cleanHistory()
  const finalRead = history.finalRead.filter((record) => !(record.partition === 0 && record.offset === 1))
  const polls = history.polls.filter((poll) => poll.offset !== 1)
  const acks = history.acks.filter((entry) => !(entry.partition === 0 && entry.offset === 1))
  const { counts } = violations({ ...history, acks, finalRead, polls })
  assert.deepEqual(counts, none)
})

test('polls in a new session may go back without a violation', () => {
  const history = cleanHistory()
  const polls = [...history.polls, { ...history.polls[0]!, session: 2, timeMs: startMs + 800 }]
  assert.deepEqual(violations({ ...history, polls }).counts, none)
})

test('a commit below an earlier acknowledged one is non-monotonic', () => {
  const history = cleanHistory()
  const commits = [...history.commits, { member: 'm2', partition: 0, offset: 1, timeMs: startMs + 950 }]
  const { counts } = violations({ ...history, commits })
  assert.deepEqual(counts, { ...none, nonMonotonicCommits: 1 })
})

test('replicas that disagree or fall short of the committed prefix are reported', () => {
  const history = cleanHistory()
  const replicas = [
    {
      partition: 0,
      committedEnd: 3,
      brokers: [1, 2, 3],
      disagreements: [{ offset: 1, brokers: [1, 2, 3] }],
      behind: [{ broker: 3, heldEnd: 2 }],
    },
  ]
  const { counts } = violations({ ...history, replicas })
  assert.deepEqual(counts, { ...none, replicasDiffer: 2 })
})

test('the longest ack gap counts the run start and end, per partition', () => {
  const result = checkHistory(cleanHistory())
  // Partition 1: acks at +200, +500, +600, end at +1000 → 400 ms; partition 0: +400 to +1000 → 600 ms.
  assert.equal(result.longestAckGapMs, 600)
  assert.equal(result.longestAckGapPartition, 0)
})

test('failover is the longest stretch without acks from a disruptive fault to the next event', () => {
  const result = checkHistory(cleanHistory())
  // Fault at +350, no later event: partition 0 acks at +400 then none to the end (+1000): 600 ms;
  // partition 1 acks at +500 and +600, then none to the end: 400 ms.
  assert.deepEqual(result.failover, { samples: 2, p50Ms: 400, p99Ms: 600, maxMs: 600 })
  const healed = checkHistory({
    ...cleanHistory(),
    faults: [...cleanHistory().faults, { timeMs: startMs + 450, description: 'heal', disruptive: false }],
  })
  // The window ends at the heal (+450): partition 0's stretches are +350..+400 and +400..+1000
  // (it starts inside the window): 600 ms; partition 1's +350..+500: 150 ms.
  assert.deepEqual(healed.failover, { samples: 2, p50Ms: 150, p99Ms: 600, maxMs: 600 })
  const quiet = checkHistory({
    ...cleanHistory(),
    faults: [{ timeMs: startMs + 350, description: 'heal', disruptive: false }],
  })
  assert.equal(quiet.failover.samples, 0)
})

test.run()
