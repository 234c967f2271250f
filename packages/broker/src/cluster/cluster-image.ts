// The cluster's metadata as the controller log describes it: which topics exist, their config
// (as storage's LogConfig fields) and each partition's replica set. Pure: every broker applies
// the same committed records in the same order and ends with the same image.
import type { LogConfig } from '@weir/storage'
import type { AclRecord } from '../acl/acl-records.js'
import { AclSet } from '../acl/acl-set.js'
import { isUserRecord, UserDirectory, type UserRecord } from '../auth/user-records.js'
import { type BrokerRecord, BrokerRegistry, isBrokerRecord } from './broker-registry.js'
import { DrainingBrokers, type DrainRecord, isDrainRecord } from './drain-records.js'
import { PartitionTargets } from './partition-targets.js'
import type { ReassignmentRecord } from './reassignment-records.js'

/**
 * One change to the cluster metadata. `change` is unique per submission: a submission retried
 * after its first attempt committed (an answer lost, a leader that stepped down right after
 * appending) is then recognised and answered as done instead of being checked again.
 */
export type MetadataRecord = (
  | {
      readonly type: 'topicCreated'
      readonly name: string
      /** Unique per creation: a topic deleted and created again under the same name is another topic. */
      readonly id: string
      readonly config: Partial<LogConfig>
      /** Replica broker ids per partition; the first is the preferred leader. */
      readonly replicas: readonly (readonly number[])[]
    }
  | { readonly type: 'topicDeleted'; readonly name: string }
  | {
      readonly type: 'partitionsCreated'
      readonly name: string
      /** The partition count the proposer saw: the first new partition. Checked by the leader. */
      readonly first?: number
      /** Replica sets of the new partitions, appended after the existing ones. */
      readonly replicas: readonly (readonly number[])[]
    }
  | ReassignmentRecord
  | AclRecord
  | UserRecord
  | DrainRecord
  | BrokerRecord
) & { readonly change?: string }

export interface TopicImage {
  readonly name: string
  readonly id: string
  readonly config: Partial<LogConfig>
  readonly replicas: readonly (readonly number[])[]
}

/** Change ids remembered, oldest forgotten first: far more than submissions retried at once. */
const changesRemembered = 10_000

export class ClusterImage {
  private readonly topicsByName = new Map<string, TopicImage>()
  /** Insertion-ordered, so the first key is the oldest. */
  private readonly changes = new Set<string>()
  /** The ACL bindings every broker enforces (read on each request: nothing caches them). */
  readonly acls = new AclSet()
  /** SCRAM users (names, mechanisms, credentials): every broker knows every user. */
  readonly users = new UserDirectory()
  /** Brokers added and removed after start (`weir cluster add-broker`, `remove-broker`). */
  readonly brokers = new BrokerRegistry()
  /** Running partition reassignments: the replica set each moving partition is going to. */
  readonly targets = new PartitionTargets()
  private readonly draining = new DrainingBrokers()

  /** Whether a record with this change id was applied (among the last 10,000 changes). */
  applied(change: string): boolean {
    return this.changes.has(change)
  }

  topic(name: string): TopicImage | undefined {
    return this.topicsByName.get(name)
  }

  topics(): TopicImage[] {
    return [...this.topicsByName.values()]
  }

  /** Brokers marked draining (DrainBroker): they lead nothing and are given no leadership. */
  drainingBrokers(): ReadonlySet<number> {
    return this.draining.set()
  }

  /** Applies one committed record; returns the topic it changed (undefined for a no-op record). */
  apply(record: MetadataRecord): TopicImage | undefined {
    if (record.change !== undefined) this.remember(record.change)
    if (record.type === 'aclsCreated') return void this.acls.add(record.bindings)
    if (record.type === 'aclsDeleted') return void this.acls.remove(record.filters)
    if (isUserRecord(record)) {
      this.users.apply(record)
      return undefined
    }
    if (isDrainRecord(record)) return void this.draining.apply(record)
    if (isBrokerRecord(record)) return void this.brokers.apply(record)
    const existing = this.topicsByName.get(record.name)
    switch (record.type) {
      case 'topicCreated': {
        // Proposals are checked against the image first; a duplicate can only come from a
        // forwarded retry after the first attempt committed, and the first one wins.
        if (existing !== undefined) return undefined
        const topic = { name: record.name, id: record.id, config: record.config, replicas: record.replicas }
        this.topicsByName.set(record.name, topic)
        return topic
      }
      case 'topicDeleted':
        this.topicsByName.delete(record.name)
        this.targets.clearTopic(record.name)
        return existing
      case 'partitionsCreated': {
        if (existing === undefined) return undefined
        const topic = { ...existing, replicas: [...existing.replicas, ...record.replicas] }
        this.topicsByName.set(record.name, topic)
        return topic
      }
      case 'partitionReassigned': {
        if (existing === undefined || record.partition >= existing.replicas.length) return undefined
        const { replicas, throttleBytesPerSec } = record
        // A new target replaces a running one: the leader moves on from wherever the group is.
        this.targets.set(record.name, record.partition, {
          replicas,
          ...(throttleBytesPerSec ? { throttleBytesPerSec } : {}),
        })
        return existing
      }
      case 'reassignmentCompleted': {
        if (existing === undefined || this.targets.of(record.name, record.partition) === undefined)
          return undefined
        this.targets.clear(record.name, record.partition)
        const replicas = existing.replicas.map((set, partition) =>
          partition === record.partition ? record.replicas : set,
        )
        const topic = { ...existing, replicas }
        this.topicsByName.set(record.name, topic)
        return topic
      }
    }
  }

  private remember(change: string): void {
    this.changes.add(change)
    if (this.changes.size > changesRemembered) {
      const oldest = this.changes.values().next().value
      if (oldest !== undefined) this.changes.delete(oldest)
    }
  }
}

/**
 * Replica sets for `count` new partitions starting at partition `first`: replicas on distinct
 * brokers, and the preferred leader (first replica) rotating so leadership spreads evenly.
 */
export function assignReplicas(
  brokerIds: readonly number[],
  first: number,
  count: number,
  replicationFactor: number,
): number[][] {
  const brokers = [...brokerIds].sort((left, right) => left - right)
  const sets: number[][] = []
  for (let partition = first; partition < first + count; partition++) {
    const replicas: number[] = []
    for (let copy = 0; copy < replicationFactor; copy++)
      replicas.push(brokers[(partition + copy) % brokers.length]!)
    sets.push(replicas)
  }
  return sets
}
