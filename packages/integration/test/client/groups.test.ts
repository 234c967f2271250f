// Proves the client's group membership against a real broker: 2 then 3 members over 6 partitions each own every partition exactly once, balanced, and never two at once; a member that closes hands over in under 1 s; one that stops heartbeating loses its partitions after the session timeout; a static member's restart keeps its assignment without a rebalance; admin describe shows committed offsets and lag; reset-offsets moves an idle group and refuses a live one.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Broker } from '@weir/broker'
import {
  Client,
  type GroupMembership,
  type GroupMembershipOptions,
  type GroupPartition,
  isWeirError,
} from '@weir/client'
import { test } from 'uvu'
import * as assert from 'uvu/assert'

const sessionTimeoutMs = 1000
const heartbeatIntervalMs = 100
const topic = 'orders'

let broker: Broker
let dataDir: string
let client: Client

test.before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'weir-groups-'))
  broker = await Broker.start({
    dataDir,
    listen: '127.0.0.1:0',
    logLevel: 'silent',
    // A short first-rebalance delay lets members started together share generation 1.
    groups: { offsetsPartitions: 4, limits: { minSessionTimeoutMs: 10, initialRebalanceDelayMs: 200 } },
  })
  await broker.groups.loaded
  client = new Client({ brokers: [`${broker.address.host}:${broker.address.port}`], clientId: 'groups-test' })
  await client.admin().createTopic({ topic, partitions: 6 })
})

test.after(async () => {
  await client.close()
  await broker.close()
  rmSync(dataDir, { recursive: true, force: true })
})

/** Who owns what, from the members' callbacks; fails if a partition is ever given to two. */
class Ownership {
  readonly owners = new Map<string, string>()
  readonly events: string[] = []
  private waiters = new Set<() => void>()

  listener(name: string): GroupMembershipOptions['listener'] {
    return {
      onAssigned: (partitions) => {
        for (const entry of partitions) {
          const key = keyOf(entry)
          const owner = this.owners.get(key)
          assert.ok(owner === undefined, `${key} assigned to ${name} while ${owner} owns it`)
          this.owners.set(key, name)
        }
        this.events.push(`${name} +${partitions.length}`)
        this.notify()
      },
      onRevoked: (partitions) => {
        for (const entry of partitions)
          if (this.owners.get(keyOf(entry)) === name) this.owners.delete(keyOf(entry))
        this.events.push(`${name} -${partitions.length}`)
        this.notify()
      },
    }
  }

  counts(): Map<string, number> {
    const counts = new Map<string, number>()
    for (const owner of this.owners.values()) counts.set(owner, (counts.get(owner) ?? 0) + 1)
    return counts
  }

  /** Resolves once `condition` holds, re-checked on every callback; fails after `timeoutMs`. */
  async until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
    if (condition()) return
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check)
        reject(
          new Error(
            `condition not met in ${timeoutMs} ms; owners ${JSON.stringify([...this.counts()])}; events ${this.events.join(', ')}`,
          ),
        )
      }, timeoutMs)
      const check = () => {
        if (!condition()) return
        clearTimeout(timer)
        this.waiters.delete(check)
        resolve()
      }
      this.waiters.add(check)
    })
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter()
  }
}

function keyOf(entry: GroupPartition): string {
  return `${entry.topic}/${entry.partition}`
}

function member(
  groupId: string,
  ownership: Ownership,
  name: string,
  extra: Partial<GroupMembershipOptions> = {},
): GroupMembership {
  return client.groupMembership({
    groupId,
    topics: [topic],
    sessionTimeoutMs,
    heartbeatIntervalMs,
    rebalanceTimeoutMs: 3000,
    listener: ownership.listener(name),
    ...extra,
  })
}

const balanced = (ownership: Ownership, members: number) => () => {
  const counts = [...ownership.counts().values()]
  return (
    ownership.owners.size === 6 && counts.length === members && counts.every((count) => count === 6 / members)
  )
}

test('2 then 3 members: every partition exactly once, balanced', async () => {
  const ownership = new Ownership()
  const a = member('balance', ownership, 'a')
  const b = member('balance', ownership, 'b')
  await Promise.all([a.start(), b.start()])
  await ownership.until(balanced(ownership, 2))
  const c = member('balance', ownership, 'c')
  await c.start()
  await ownership.until(balanced(ownership, 3))
  assert.equal(
    [a, b, c].flatMap((entry) => entry.assignment().map((partition) => partition.partition)).sort(),
    [0, 1, 2, 3, 4, 5],
  )
  assert.is(a.protocol, 'cooperative-sticky')
  await Promise.all([a.close(), b.close(), c.close()])
})

test('a member that closes hands its partitions over in under 1 s', async () => {
  const ownership = new Ownership()
  const a = member('handover', ownership, 'a')
  const b = member('handover', ownership, 'b')
  await Promise.all([a.start(), b.start()])
  await ownership.until(balanced(ownership, 2))
  const startedMs = performance.now()
  await a.close()
  await ownership.until(() => ownership.counts().get('b') === 6, 5000)
  const handOverMs = performance.now() - startedMs
  assert.ok(handOverMs < 1000, `hand-over took ${handOverMs.toFixed(0)} ms`)
  await b.close()
})

test('a member that stops heartbeating loses its partitions after the session timeout', async () => {
  const ownership = new Ownership()
  const a = member('dead', ownership, 'a')
  const b = member('dead', ownership, 'b')
  await Promise.all([a.start(), b.start()])
  await ownership.until(balanced(ownership, 2))
  // Stops the heartbeat timer without LeaveGroup, as a killed process would; the callback
  // removes a's partitions from the record, as its process would be gone.
  const startedMs = performance.now()
  await a.close({ leave: false })
  await ownership.until(() => ownership.counts().get('b') === 6, sessionTimeoutMs + 5000)
  const tookMs = performance.now() - startedMs
  assert.ok(
    tookMs >= sessionTimeoutMs * 0.9,
    `took over after ${tookMs.toFixed(0)} ms, before the session ended`,
  )
  await b.close()
})

test('a static member restarting within its session keeps its assignment without a rebalance', async () => {
  const ownership = new Ownership()
  const a = member('static', ownership, 'a', { groupInstanceId: 'pod-a', sessionTimeoutMs: 5000 })
  const b = member('static', ownership, 'b')
  await Promise.all([a.start(), b.start()])
  await ownership.until(balanced(ownership, 2))
  const before = a.assignment()
  const generationBefore = b.context()!.generationId
  const eventsBefore = ownership.events.length
  await a.close() // a static member does not leave by default
  const restarted = member('static', ownership, 'a', { groupInstanceId: 'pod-a', sessionTimeoutMs: 5000 })
  await restarted.start()
  assert.equal(restarted.assignment(), before)
  assert.is(restarted.context()!.generationId, generationBefore, 'same generation: no rebalance')
  // The coordinator answered the rejoin: had it started a rebalance, the group would be out of
  // 'stable' or past the generation now, and b's next heartbeat would be told so.
  const group = await client.admin().describeGroup('static')
  assert.is(group.state, 'stable')
  assert.is(group.generationId, generationBefore)
  assert.is(group.members.length, 2)
  assert.is(b.context()!.generationId, generationBefore)
  assert.equal(
    ownership.events.slice(eventsBefore).filter((event) => event.startsWith('b')),
    [],
    'b saw no revoke or assign',
  )
  await restarted.close({ leave: true })
  await b.close()
})

test('admin: list, describe with committed offsets and lag, reset offsets, delete', async () => {
  const producer = client.producer()
  for (let index = 0; index < 30; index++) await producer.send({ topic, key: `k${index}`, value: { index } })
  await producer.flush()
  const ownership = new Ownership()
  const a = member('reporting', ownership, 'a')
  await a.start()
  const store = client.brokerOffsetStore()
  await store.commit('reporting', [{ topic, partition: 0, offset: 1 }], a.context())
  const admin = client.admin()
  const listed = await admin.listGroups()
  assert.ok(listed.some((group) => group.groupId === 'reporting' && group.state === 'stable'))
  const described = await admin.describeGroup('reporting')
  assert.is(described.state, 'stable')
  assert.is(described.protocol, 'cooperative-sticky')
  assert.is(described.members.length, 1)
  assert.is(described.members[0]!.clientId, 'groups-test')
  assert.is(described.members[0]!.assignment.length, 6)
  const topicDescription = await admin.describeTopic(topic)
  const end0 = topicDescription.partitions[0]!.highWatermark
  const row0 = described.offsets.find((row) => row.partition === 0)!
  assert.equal(row0, { topic, partition: 0, committedOffset: 1, logEndOffset: end0, lag: end0 - 1 })
  assert.is(described.offsets.find((row) => row.partition === 1)!.committedOffset, -1)
  try {
    await admin.resetOffsets('reporting', topic, 'earliest')
    assert.unreachable('a live group must be refused')
  } catch (error) {
    assert.ok(isWeirError(error, 'NON_EMPTY_GROUP'), String(error))
    assert.match((error as Error).message, /live member/)
  }
  await a.close()
  const reset = await admin.resetOffsets('reporting', topic, 'latest')
  assert.equal(
    reset.map((entry) => entry.offset),
    topicDescription.partitions.map((partition) => partition.highWatermark),
  )
  const afterLatest = await admin.describeGroup('reporting')
  assert.is(afterLatest.state, 'empty')
  assert.ok(afterLatest.offsets.every((row) => row.lag === 0))
  await admin.resetOffsets('reporting', topic, 'earliest')
  const fetched = await store.fetch('reporting', [{ topic, partitions: [0, 1, 2, 3, 4, 5] }])
  assert.equal([...fetched.get(topic)!.values()], [0, 0, 0, 0, 0, 0])
  await admin.resetOffsets('reporting', topic, Date.now() + 60_000)
  assert.ok((await admin.describeGroup('reporting')).offsets.every((row) => row.lag === 0))
  await admin.deleteGroup('reporting')
  assert.is((await admin.describeGroup('reporting')).state, 'dead')
  await producer.close()
})

test.run()
