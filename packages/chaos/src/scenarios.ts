// The scenarios of the chaos suite. Each round injects one fault, holds it, takes it away and lets
// the cluster settle; `rounds` is 1 in CI and more in the full matrix. Choices come from the run's
// seeded random so `--seed` replays them.
import { flipByteInClosedSegment, loseUnsyncedTail } from './disk-faults.js'
import type { Scenario, ScenarioContext } from './scenario.js'
import { partitionDirectory } from './segment-batches.js'

/** How long a fault is held, and how long the cluster is given after each heal. */
const holdMs = 8_000
const settleMs = 5_000
const partitions = 4

async function randomPartitionLeader(
  context: ScenarioContext,
): Promise<{ partition: number; leader: number }> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const partition = context.random.integer(0, partitions - 1)
    const leader = await context.leaderOf(partition).catch(() => undefined)
    if (leader !== undefined && context.members.includes(leader)) return { partition, leader }
    await context.sleep(250)
  }
  throw new Error('no partition had a leader for 5 s')
}

async function killAndRestart(context: ScenarioContext, id: number, why: string): Promise<void> {
  context.fault(`SIGKILL broker ${id} (${why})`, true)
  await context.cluster.stop(id, 'SIGKILL')
  await context.sleep(holdMs)
  context.fault(`restart broker ${id}`, false)
  await context.cluster.start(id, context.members)
  await context.sleep(settleMs)
}

const leaderKill: Scenario = {
  name: 'leader-kill',
  description: 'SIGKILL the leader of a random partition, restart it on the same ports and directory',
  brokers: 3,
  async run(context) {
    for (let round = 0; round < context.rounds; round++) {
      const { partition, leader } = await randomPartitionLeader(context)
      await killAndRestart(context, leader, `leader of partition ${partition}`)
    }
  },
}

const brokerKill: Scenario = {
  name: 'broker-kill',
  description: 'SIGKILL a random broker, restart it',
  brokers: 3,
  async run(context) {
    for (let round = 0; round < context.rounds; round++)
      await killAndRestart(context, context.random.pick(context.members), 'random')
  },
}

const pause: Scenario = {
  name: 'pause',
  description: 'SIGSTOP a broker (the bootstrap broker first), SIGCONT it after 8 s',
  brokers: 3,
  async run(context) {
    for (let round = 0; round < context.rounds; round++) {
      const id = round === 0 ? context.members[0]! : context.random.pick(context.members)
      context.fault(`SIGSTOP broker ${id}`, true)
      context.cluster.pause(id)
      await context.sleep(holdMs)
      context.fault(`SIGCONT broker ${id}`, false)
      context.cluster.resume(id)
      await context.sleep(settleMs)
    }
  },
}

const isolate: Scenario = {
  name: 'isolate',
  description:
    'cut every peer link of one broker (the bootstrap broker first) both ways; clients still reach it',
  brokers: 3,
  async run(context) {
    for (let round = 0; round < context.rounds; round++) {
      const id = round === 0 ? context.members[0]! : context.random.pick(context.members)
      context.fault(`isolate broker ${id}`, true)
      context.cluster.network.isolate(id, context.members)
      await context.sleep(holdMs)
      context.fault('heal', false)
      context.cluster.network.healAll()
      await context.sleep(settleMs)
    }
  },
}

const bridge: Scenario = {
  name: 'bridge',
  description: 'cut two brokers from each other; the third still talks to both (a bridge)',
  brokers: 3,
  async run(context) {
    for (let round = 0; round < context.rounds; round++) {
      const [a, b] = context.random.sample(context.members, 2)
      context.fault(`partition ${a} | ${b} (bridged by the others)`, true)
      context.cluster.network.partition(a!, b!)
      await context.sleep(holdMs)
      context.fault('heal', false)
      context.cluster.network.healAll()
      await context.sleep(settleMs)
    }
  },
}

const linkFaults: Scenario = {
  name: 'link-faults',
  description:
    'per link: one-way partition, delay 100±50 ms, drop (hold bytes) and reset, one after another on random pairs',
  brokers: 3,
  async run(context) {
    const network = context.cluster.network
    for (let round = 0; round < context.rounds; round++) {
      const steps: Array<[string, (a: number, b: number) => void]> = [
        ['one-way partition', (a, b) => network.cutOneWay(a, b)],
        ['delay 100±50 ms', (a, b) => network.delay(a, b, { baseMs: 100, jitterMs: 50 })],
        ['drop', (a, b) => network.partition(a, b)],
        ['reset', (a, b) => network.reset(a, b)],
      ]
      for (const [what, apply] of steps) {
        const [a, b] = context.random.sample(context.members, 2)
        context.fault(`${what} ${a}→${b}`, true)
        apply(a!, b!)
        await context.sleep(holdMs / 2)
        context.fault('heal', false)
        network.healAll()
        await context.sleep(settleMs / 2)
      }
    }
  },
}

const rollingRestart: Scenario = {
  name: 'rolling-restart',
  description: 'SIGTERM each broker in turn and restart it once it has exited',
  brokers: 3,
  async run(context) {
    for (let round = 0; round < context.rounds; round++) {
      for (const id of context.members) {
        context.fault(`SIGTERM broker ${id}`, true)
        await context.cluster.stop(id, 'SIGTERM')
        context.fault(`restart broker ${id}`, false)
        await context.cluster.start(id, context.members)
        await context.sleep(settleMs)
      }
    }
  },
}

const minorityDown: Scenario = {
  name: 'minority-down',
  description: '5 brokers: SIGKILL two at once for 12 s, restart both',
  brokers: 5,
  async run(context) {
    for (let round = 0; round < context.rounds; round++) {
      const down = context.random.sample(context.members, 2)
      context.fault(`SIGKILL brokers ${down.join(', ')}`, true)
      await Promise.all(down.map((id) => context.cluster.stop(id, 'SIGKILL')))
      await context.sleep(holdMs + 4_000)
      context.fault(`restart brokers ${down.join(', ')}`, false)
      await Promise.all(down.map((id) => context.cluster.start(id, context.members)))
      await context.sleep(settleMs)
    }
  },
}

const groupChaos: Scenario = {
  name: 'group-chaos',
  description: 'group members leave and join every 3 s while a random broker is killed and restarted',
  brokers: 3,
  async run(context) {
    for (let round = 0; round < context.rounds; round++) {
      const victim = context.random.pick(context.members)
      for (let step = 0; step < 4; step++) {
        const leaving = context.random.pick(context.workload.memberNames())
        context.fault(`member ${leaving} leaves, a new one joins`, false)
        await context.workload.removeMember(leaving)
        context.workload.addMember()
        if (step === 1) {
          context.fault(`SIGKILL broker ${victim}`, true)
          await context.cluster.stop(victim, 'SIGKILL')
        }
        await context.sleep(3_000)
      }
      context.fault(`restart broker ${victim}`, false)
      await context.cluster.start(victim, context.members)
      await context.sleep(settleMs)
    }
  },
}

const lostWrites: Scenario = {
  name: 'lost-writes',
  description:
    "fsync never: SIGKILL a broker and cut up to 64 KiB off every partition's open segment (the page cache it lost), restart",
  needs: 'a replica that lost its log tail re-fetching it (issue 13 parts 1-2)',
  brokers: 3,
  topicConfig: { fsync: 'never' },
  async run(context) {
    for (let round = 0; round < context.rounds; round++) {
      const id = context.random.pick(context.members)
      context.fault(`SIGKILL broker ${id}`, true)
      await context.cluster.stop(id, 'SIGKILL')
      const broker = context.cluster.broker(id)
      let lostBytes = 0
      for (let partition = 0; partition < partitions; partition++) {
        const directory = partitionDirectory(broker.dataDir, context.topic, partition)
        if (directory !== undefined) lostBytes += loseUnsyncedTail(directory, context.random, 64 * 1024)
      }
      context.fault(`broker ${id} lost ${lostBytes} unsynced bytes; restart`, false)
      await context.sleep(holdMs / 2)
      await context.cluster.start(id, context.members)
      await context.sleep(settleMs)
    }
  },
}

const diskCorrupt: Scenario = {
  name: 'disk-corrupt',
  description:
    'stop the preferred leader of a partition, flip a byte in a closed segment of that partition, restart it',
  needs: 'corruption detection and repair (issue 13 part 1)',
  brokers: 3,
  topicConfig: { segmentBytes: 4 * 1024 },
  async run(context) {
    for (let round = 0; round < context.rounds; round++) {
      await context.sleep(holdMs)
      const partition = context.random.integer(0, partitions - 1)
      const preferred = (await context.replicasOf(partition))[0]
      if (preferred === undefined) throw new Error(`partition ${partition} has no replicas`)
      context.fault(`SIGKILL broker ${preferred}`, true)
      await context.cluster.stop(preferred, 'SIGKILL')
      const directory = partitionDirectory(
        context.cluster.broker(preferred).dataDir,
        context.topic,
        partition,
      )
      const flipped = directory === undefined ? undefined : flipByteInClosedSegment(directory, context.random)
      // A run that could not put the fault in must not pass as if the cluster had survived it.
      if (flipped === undefined)
        throw new Error(`broker ${preferred} has no closed segment of partition ${partition}`)
      context.fault(`broker ${preferred} partition ${partition}: flipped ${flipped}`, false)
      await context.cluster.start(preferred, context.members)
      await context.sleep(holdMs + settleMs)
    }
  },
}

const diskWipe: Scenario = {
  name: 'disk-wipe',
  description: 'SIGKILL a broker, empty its data directory, restart it: it must catch up without new writes',
  needs: 'wiped-broker catch-up (issue 13 part 2)',
  brokers: 3,
  async run(context) {
    for (let round = 0; round < context.rounds; round++) {
      const id = context.random.pick(context.members)
      context.fault(`SIGKILL broker ${id} and wipe ${context.cluster.broker(id).dataDir}`, true)
      await context.cluster.stop(id, 'SIGKILL')
      context.cluster.wipe(id)
      await context.sleep(holdMs / 2)
      context.fault(`restart broker ${id} (empty)`, false)
      await context.cluster.start(id, context.members)
      await context.sleep(holdMs + settleMs)
    }
  },
}

const reassignUnderKill: Scenario = {
  name: 'reassign-under-kill',
  description:
    '4 brokers: `weir topics reassign` a partition onto the broker it lacks, SIGKILL one of its old replicas meanwhile',
  needs: 'weir topics reassign (issue 13 part 6)',
  brokers: 4,
  async run(context) {
    for (let round = 0; round < context.rounds; round++) {
      const partition = context.random.integer(0, partitions - 1)
      const replicas = await context.replicasOf(partition)
      const outside = context.members.filter((id) => !replicas.includes(id))
      const target = [...replicas.slice(1), context.random.pick(outside)]
      context.fault(`reassign partition ${partition} ${replicas.join(',')} → ${target.join(',')}`, true)
      await context.cli([
        'topics',
        'reassign',
        context.topic,
        '--partition',
        String(partition),
        '--replicas',
        target.join(','),
      ])
      await killAndRestart(context, replicas[0]!, 'an old replica, during the reassignment')
      await context.waitUntil(`partition ${partition} on ${target.join(',')}`, 60_000, async () => {
        const now = await context.replicasOf(partition)
        return [...now].sort().join(',') === [...target].sort().join(',')
      })
    }
  },
}

const addRemoveBroker: Scenario = {
  name: 'add-remove-broker',
  description:
    'start broker 4, `weir cluster add-broker 4` and `weir cluster rebalance`, then `weir cluster remove-broker 1`',
  needs: 'weir cluster add-broker / remove-broker / rebalance (issue 13 part 6)',
  brokers: 3,
  spares: 1,
  async run(context) {
    const added = context.cluster.ids.length + 1
    const broker = context.cluster.broker(added)
    context.fault(`start broker ${added}`, false)
    await context.cluster.start(added, [...context.members, added])
    context.fault(`add-broker ${added}`, true)
    await context.cli([
      'cluster',
      'add-broker',
      String(added),
      '--address',
      `127.0.0.1:${broker.port}/${broker.peerPort}`,
    ])
    context.members = [...context.members, added]
    context.fault('rebalance', true)
    await context.cli(['cluster', 'rebalance'])
    await context.waitUntil(`broker ${added} holds replicas`, 60_000, async () => {
      for (let partition = 0; partition < partitions; partition++)
        if ((await context.replicasOf(partition)).includes(added)) return true
      return false
    })
    await context.sleep(settleMs)
    const removed = context.members[0]!
    context.fault(`remove-broker ${removed}`, true)
    await context.cli(['cluster', 'remove-broker', String(removed)])
    await context.waitUntil(`broker ${removed} holds no replica`, 90_000, async () => {
      for (let partition = 0; partition < partitions; partition++)
        if ((await context.replicasOf(partition)).includes(removed)) return false
      return true
    })
    context.members = context.members.filter((id) => id !== removed)
    await context.sleep(settleMs)
  },
}

export const topicPartitions = partitions

export const scenarios: readonly Scenario[] = [
  leaderKill,
  brokerKill,
  pause,
  isolate,
  bridge,
  linkFaults,
  rollingRestart,
  diskCorrupt,
  diskWipe,
  lostWrites,
  groupChaos,
  minorityDown,
  reassignUnderKill,
  addRemoveBroker,
]
