// Proves the broker registry and membership changes without processes: the brokers are --peers
// plus registered minus removed (a committed address wins); records are shape-checked; the leader
// refuses a taken id or address, an unknown broker, the last broker and a broker still holding
// replicas (naming them); add-broker registers before it adds the voter and remove-broker removes
// the voter before the broker; a leader asked to remove itself hands leadership off first.
import { isWeirError, nodeClock, nodeTimers, WeirError } from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { checkBrokerProposal } from '../../src/cluster/broker-proposal-check.js'
import { BrokerRegistry } from '../../src/cluster/broker-registry.js'
import { ClusterImage, type MetadataRecord } from '../../src/cluster/cluster-image.js'
import { addBroker, type MembershipHost, removeBroker } from '../../src/cluster/membership-change.js'
import { checkMetadataRecord } from '../../src/cluster/metadata-record-check.js'
import type { Peer } from '../../src/cluster/peers.js'

const peer = (id: number): Peer => ({ id, host: '127.0.0.1', port: 7000 + 2 * id, peerPort: 7001 + 2 * id })
const configured = [peer(1), peer(2), peer(3)]
const codeOf = (error: unknown) => (isWeirError(error) ? error.code : String(error))

test('registry: --peers plus registered minus removed, a committed address winning', () => {
  const registry = new BrokerRegistry()
  assert.equal(registry.brokers(configured), configured)
  registry.apply({ type: 'brokerRegistered', ...peer(4) })
  registry.apply({ type: 'brokerRegistered', ...peer(2), host: '10.0.0.2' })
  registry.apply({ type: 'brokerRemoved', id: 1 })
  const brokers = registry.brokers(configured)
  assert.equal(
    brokers.map((broker) => broker.id),
    [2, 3, 4],
  )
  assert.is(brokers[0]!.host, '10.0.0.2')
  // Registered again after a removal: back in.
  registry.apply({ type: 'brokerRegistered', ...peer(1) })
  assert.equal(
    registry.brokers(configured).map((broker) => broker.id),
    [1, 2, 3, 4],
  )
})

test('records: shape-checked like --peers entries, with typed errors', () => {
  assert.equal(checkMetadataRecord({ type: 'brokerRemoved', id: 4 }), { type: 'brokerRemoved', id: 4 })
  for (const bad of [
    { type: 'brokerRemoved', id: 0 },
    { type: 'brokerRegistered', id: 4, host: '', port: 1, peerPort: 2 },
    { type: 'brokerRegistered', id: 4, host: 'h', port: 0, peerPort: 2 },
    { type: 'brokerRegistered', id: 4, host: 'h', port: 7, peerPort: 7 },
  ]) {
    assert.throws(
      () => checkMetadataRecord(bad),
      (error: unknown) => codeOf(error) === 'INVALID_REQUEST',
    )
  }
})

test('proposal: taken id or address, unknown or last broker, and a broker holding replicas are refused', () => {
  const image = new ClusterImage()
  image.apply({
    type: 'topicCreated',
    name: 'orders',
    id: 'x',
    config: {},
    replicas: [
      [1, 2],
      [2, 3],
    ],
  })
  const context = { image, brokerIds: [1, 2, 3], brokers: configured }
  const refusal = (record: Parameters<typeof checkBrokerProposal>[0]) => {
    try {
      checkBrokerProposal(record, context)
      return 'accepted'
    } catch (error) {
      return `${codeOf(error)}: ${(error as Error).message}`
    }
  }
  assert.is(refusal({ type: 'brokerRegistered', ...peer(4) }), 'accepted')
  assert.is(refusal({ type: 'brokerRegistered', ...peer(2) }), 'accepted', 'the same broker again')
  assert.match(
    refusal({ type: 'brokerRegistered', ...peer(2), port: 9999 }),
    /^INVALID_MEMBERSHIP_CHANGE: broker 2 is already/,
  )
  assert.match(
    refusal({ type: 'brokerRegistered', ...peer(4), port: peer(1).port }),
    /^INVALID_MEMBERSHIP_CHANGE: 127.0.0.1:7002 belongs to broker 1/,
  )
  assert.match(refusal({ type: 'brokerRemoved', id: 9 }), /^UNKNOWN_BROKER/)
  assert.match(
    refusal({ type: 'brokerRemoved', id: 1 }),
    /^BROKER_NOT_EMPTY: broker 1 still holds replicas of orders\/0;/,
  )
  assert.match(
    refusal({ type: 'brokerRemoved', id: 4 }),
    /^UNKNOWN_BROKER: broker 4 is not in the cluster \(brokers 1, 2, 3\)/,
  )
  const alone = { image: new ClusterImage(), brokerIds: [1], brokers: [peer(1)] }
  assert.throws(
    () => checkBrokerProposal({ type: 'brokerRemoved', id: 1 }, alone),
    (error: unknown) => codeOf(error) === 'INVALID_MEMBERSHIP_CHANGE',
  )
})

/** A controller leader whose changes apply at once, recording the order of steps. */
function fakeHost(selfId: number, voters: number[], options: { caughtUp?: number[] } = {}) {
  const image = new ClusterImage()
  const steps: string[] = []
  const host: MembershipHost & { steps: string[]; leading: boolean } = {
    steps,
    leading: true,
    selfId,
    image,
    environment: { clock: nodeClock, timers: nodeTimers },
    controllerRaft: {
      get isLeader() {
        return host.leading
      },
      get leaderId() {
        return host.leading ? selfId : 0
      },
      get voters() {
        return voters
      },
      caughtUp: () => Promise.resolve(),
      async changeVoters(change) {
        steps.push('add' in change ? `voter +${change.add}` : `voter -${change.remove}`)
        if ('add' in change) voters.push(change.add)
        else voters.splice(voters.indexOf(change.remove), 1)
      },
      transferTo(to) {
        const ok = options.caughtUp?.includes(to) ?? true
        if (ok) steps.push(`transfer to ${to}`)
        return ok
      },
    },
    brokers: () => image.brokers.brokers(configured),
    async proposeHere(record: MetadataRecord) {
      steps.push(record.type)
      image.apply(record)
    },
  }
  return host
}

test('add-broker registers, then adds the voter; repeating it changes nothing more', async () => {
  const host = fakeHost(1, [1, 2, 3])
  await addBroker(host, peer(4), 1000)
  assert.equal(host.steps, ['brokerRegistered', 'voter +4'])
  await addBroker(host, peer(4), 1000)
  assert.equal(host.steps, ['brokerRegistered', 'voter +4', 'brokerRegistered'])
})

test('remove-broker removes the voter, then the broker; a leader removing itself hands off first', async () => {
  const host = fakeHost(1, [1, 2, 3])
  await removeBroker(host, 3, 1000)
  assert.equal(host.steps, ['voter -3', 'brokerRemoved'])
  const self = fakeHost(1, [1, 2, 3], { caughtUp: [3] })
  const error = await removeBroker(self, 1, 1000).then(
    () => undefined,
    (caught: unknown) => caught,
  )
  assert.ok(error instanceof WeirError && error.code === 'NOT_LEADER', String(error))
  assert.match((error as Error).message, /leadership moves to broker 3; retry on the new controller/)
  assert.equal(self.steps, ['transfer to 3'])
  const follower = fakeHost(2, [1, 2, 3])
  follower.leading = false
  const notLeader = await addBroker(follower, peer(4), 1000).then(() => 'added', codeOf)
  assert.is(notLeader, 'NOT_LEADER')
})

test.run()
