// Proves FindCoordinator on the Kafka listener of a three-broker cluster (in one process, real
// sockets): asked any broker, it names the broker that leads the group's __consumer_offsets
// partition at that broker's *Kafka* address, the peers' learnt from their heartbeats.
import { FindCoordinator, Kafka } from '@weir/protocol'
import { eventually } from '@weir/protocol/testing'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Broker } from '../../src/index.js'
import { freePort, removeTempDirectories, startBroker } from '../support/broker.js'
import { WireClient } from '../support/wire-client.js'
import { KafkaWire } from './kafka-wire.js'

const brokers: Broker[] = []
const wires: KafkaWire[] = []
/** Cluster start and elections on a loaded machine; far above what they take. */
const settleTimeoutMs = 120_000

test.before(async () => {
  const ids = [1, 2, 3]
  const ports = await Promise.all(ids.map(async () => ({ client: await freePort(), peer: await freePort() })))
  const peers = ids
    .map((id, index) => `${id}@127.0.0.1:${ports[index]!.client}/${ports[index]!.peer}`)
    .join(',')
  const started = await Promise.all(
    ids.map((id, index) =>
      startBroker({
        brokerId: id,
        listen: `127.0.0.1:${ports[index]!.client}`,
        peers,
        clusterSecret: 'kafka-groups-find-coordinator-cluster-secret-32b',
        kafkaListen: '127.0.0.1:0',
        groups: { offsetsPartitions: 6 },
      }),
    ),
  )
  brokers.push(...started)
})

test.after(async () => {
  for (const wire of wires) wire.close()
  await Promise.all(brokers.map((broker) => broker.close()))
  removeTempDirectories()
})

test('every broker names each group’s coordinator at the coordinator’s Kafka address', async () => {
  const kafkaPortOf = new Map(brokers.map((broker) => [broker.brokerId, broker.kafkaAddress!.port]))
  const groups = Array.from({ length: 12 }, (_, index) => `group-${index}`)
  const named = new Set<number>()
  for (const broker of brokers) {
    const native = await WireClient.connect(broker.address.port)
    const wire = await KafkaWire.connect(broker.kafkaAddress!.port)
    wires.push(wire)
    // Until elections settle and a peer's first heartbeat brings its Kafka address, answers may be
    // retriable errors or a coordinator that just moved: ask again then.
    await eventually(
      `broker ${broker.brokerId} to name every group's coordinator at its Kafka address`,
      async () => {
        for (const key of groups) {
          const truth = await native.call(FindCoordinator, { key, keyType: 0 })
          const answer = await wire.call(Kafka.findCoordinatorApi, 2, { key, keyType: 0 })
          if ((truth.errorCode ?? 0) !== 0 || answer.errorCode !== 0 || answer.nodeId !== truth.nodeId)
            return false
          assert.equal([answer.host, answer.port], ['127.0.0.1', kafkaPortOf.get(answer.nodeId)])
          assert.is.not(answer.port, truth.port, 'the Kafka port, not the native one')
          named.add(answer.nodeId)
        }
        return true
      },
      { timeoutMs: settleTimeoutMs, intervalMs: 200 },
    )
    await native.close()
  }
  assert.ok(named.size > 1, `the groups spread over several coordinators: ${[...named]}`)
})

test.run()
