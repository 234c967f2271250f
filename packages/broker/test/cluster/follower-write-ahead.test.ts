// Proves a follower pipelines its disk writes: the next append is written while the previous one
// is still becoming durable, and each answer leaves only once everything it covers is durable.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { encodeRecordBatch } from '@weir/protocol'
import { eventually } from '@weir/protocol/testing'
import type { Entry, Message } from '@weir/raft'
import { PartitionLog } from '@weir/storage'
import pino from 'pino'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { RaftReplica } from '../../src/cluster/raft-replica.js'
import { nodeBrokerEnvironment } from '../../src/environment.js'

const directories: string[] = []

test.after(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true })
})

/** A real log whose appends settle only when the test releases them (a slow fsync). */
function gatedLog(log: PartitionLog) {
  const gates: Array<() => void> = []
  const gated = new Proxy(log, {
    get(target, property, receiver) {
      if (property !== 'append') return Reflect.get(target, property, receiver)
      return async (...args: Parameters<PartitionLog['append']>) => {
        const result = await target.append(...args)
        await new Promise<void>((release) => gates.push(release))
        return result
      }
    },
  })
  return { gated, gates }
}

function entry(index: number, text: string): Entry {
  const data = encodeRecordBatch([{ value: Buffer.from(text) }, { value: Buffer.from(`${text}!`) }], {
    timestamp: 1_700_000_000_000,
  })
  return { index, term: 1, span: 2, kind: 'normal', data }
}

function append(prevIndex: number, prevTerm: number, entries: Entry[]): Message {
  return { type: 'append', from: 1, to: 2, term: 1, prevIndex, prevTerm, entries, commit: -1 }
}

test('a follower writes the next append during the previous fsync and answers each once durable', async () => {
  const root = mkdtempSync(join(tmpdir(), 'weir-write-ahead-'))
  directories.push(root)
  const log = await PartitionLog.open(root, { config: { fsync: 'always' } })
  const { gated, gates } = gatedLog(log)
  const sent: Message[] = []
  /** How many appends the test had let become durable when each message left. */
  const releasedWhenSent: number[] = []
  let released = 0
  const replica = await RaftReplica.open({
    group: 'topic/0',
    log: gated,
    selfId: 2,
    voters: [1, 2, 3],
    timing: { electionTicks: 1000, heartbeatTicks: 1, random: () => 0.5 },
    transport: {
      send: (_group, message) => {
        sent.push(message)
        releasedWhenSent.push(released)
      },
      fetchCommitted: () => Promise.reject(new Error('no restore here')),
    },
    logger: pino({ level: 'silent' }),
    environment: nodeBrokerEnvironment,
  })
  try {
    replica.step(append(-1, 0, [entry(0, 'first')]))
    await eventually('the first append is written', () => gates.length === 1 || undefined)
    replica.step(append(1, 1, [entry(2, 'second')]))
    await eventually(
      'the second append is written before the first is durable',
      () => gates.length === 2 || undefined,
    )
    const answers = () => sent.filter((message) => message.type === 'appendResponse')
    assert.equal(answers(), [], 'nothing is answered before it is durable')
    released = 1
    gates[0]!()
    const first = await eventually('the first answer', () => answers()[0])
    assert.equal(first.type === 'appendResponse' && [first.success, first.matchIndex], [true, 1])
    released = 2
    gates[1]!()
    const second = await eventually('the second answer', () => answers()[1])
    assert.equal(second.type === 'appendResponse' && [second.success, second.matchIndex], [true, 3])
    const durableWhenAnswered = sent.flatMap((message, index) =>
      message.type === 'appendResponse' ? [releasedWhenSent[index]] : [],
    )
    assert.equal(durableWhenAnswered, [1, 2], 'each answer left only once what it covers was durable')
    assert.is(log.logEndOffset, 4)
  } finally {
    for (const release of gates) release()
    await replica.close()
    await log.close()
  }
})

test.run()
