// The controller leader's check of a membership change before it commits it. Registering: the id
// is new (or already registered at the same address: a retried add-broker), its addresses are no
// other broker's, and the cluster stays within peersMax. Removing: the id is a broker, not the
// last one, and no partition names it as a replica or in a running reassignment's target
// (decommission moves them first). Pure.
import { WeirError } from '@weir/protocol'
import type { BrokerRecord } from './broker-registry.js'
import type { ClusterImage } from './cluster-image.js'
import { type Peer, peersMax } from './peers.js'

export interface MembershipContext {
  readonly image: ClusterImage
  /** The brokers of the cluster now, with their addresses. */
  readonly brokers?: readonly Peer[]
  /** Their ids, when the addresses are not given. */
  readonly brokerIds: readonly number[]
}

/** Partitions named per topic in the refusal; beyond that they are counted. */
const partitionsNamedMax = 8

export function checkBrokerProposal(record: BrokerRecord, context: MembershipContext): void {
  const brokers = context.brokers ?? context.brokerIds.map((id) => ({ id, host: '', port: 0, peerPort: 0 }))
  if (record.type === 'brokerRegistered') checkRegistration(record, brokers)
  else checkRemoval(record.id, brokers, context.image)
}

function checkRegistration(
  record: Extract<BrokerRecord, { type: 'brokerRegistered' }>,
  brokers: readonly Peer[],
) {
  const same = (peer: Peer) =>
    peer.host === record.host && peer.port === record.port && peer.peerPort === record.peerPort
  const existing = brokers.find((peer) => peer.id === record.id)
  if (existing !== undefined) {
    if (same(existing)) return
    throw new WeirError(
      'INVALID_MEMBERSHIP_CHANGE',
      `broker ${record.id} is already in the cluster at ${existing.host}:${existing.port}/${existing.peerPort}; remove it first or choose another id`,
    )
  }
  const addresses = [`${record.host}:${record.port}`, `${record.host}:${record.peerPort}`]
  for (const peer of brokers) {
    const taken = addresses.find(
      (address) => address === `${peer.host}:${peer.port}` || address === `${peer.host}:${peer.peerPort}`,
    )
    if (taken !== undefined)
      throw new WeirError(
        'INVALID_MEMBERSHIP_CHANGE',
        `${taken} belongs to broker ${peer.id}; give broker ${record.id} its own host:port/peerPort`,
      )
  }
  if (brokers.length >= peersMax)
    throw new WeirError('INVALID_MEMBERSHIP_CHANGE', `a cluster has at most ${peersMax} brokers`)
}

function checkRemoval(id: number, brokers: readonly Peer[], image: ClusterImage): void {
  if (!brokers.some((peer) => peer.id === id))
    throw new WeirError(
      'UNKNOWN_BROKER',
      `broker ${id} is not in the cluster (brokers ${brokers.map((peer) => peer.id).join(', ')})`,
    )
  if (brokers.length === 1)
    throw new WeirError('INVALID_MEMBERSHIP_CHANGE', `broker ${id} is the last broker of the cluster`)
  const held = partitionsOn(id, image)
  if (held.length > 0) {
    throw new WeirError(
      'BROKER_NOT_EMPTY',
      `broker ${id} still holds replicas of ${describeHeld(held)}; run \`weir cluster remove-broker ${id}\` without --no-move to move them away first`,
    )
  }
}

/** `topic/partition` of every partition whose replicas or reassignment target include `id`, user topics first. */
export function partitionsOn(id: number, image: ClusterImage): string[] {
  const held: string[] = []
  const topics = image
    .topics()
    .sort((left, right) => Number(left.name.startsWith('__')) - Number(right.name.startsWith('__')))
  for (const topic of topics)
    topic.replicas.forEach((replicas, partition) => {
      // A running reassignment's target counts too: the broker is about to hold the partition.
      const target = image.targets.of(topic.name, partition)?.replicas ?? []
      if (replicas.includes(id) || target.includes(id)) held.push(`${topic.name}/${partition}`)
    })
  return held
}

/** `orders/0, orders/3, __consumer_offsets (17 partitions)`: every topic named, long lists counted. */
function describeHeld(held: readonly string[]): string {
  const byTopic = new Map<string, string[]>()
  for (const name of held) {
    const topic = name.slice(0, name.lastIndexOf('/'))
    byTopic.set(topic, [...(byTopic.get(topic) ?? []), name])
  }
  return [...byTopic]
    .map(([topic, names]) =>
      names.length > partitionsNamedMax ? `${topic} (${names.length} partitions)` : names.join(', '),
    )
    .join(', ')
}
