// Runs partition reassignments on this broker: for every partition it leads whose image has a
// target, it takes the next single-server step (reassignment-plan.ts) and, once the group's
// committed config is the target, proposes reassignmentCompleted through the controller. It also
// works out how far each replica being added is behind, for the leader's announcements and
// ListPartitionReassignments. The Raft core refuses a second change while one is uncommitted, so
// a pass that runs again before the last step committed simply waits.
import type { ReplicaProgress } from '@weir/protocol'
import type { Logger } from 'pino'
import type { ClusterImage, MetadataRecord } from './cluster-image.js'
import { groupOf, topicOfGroup } from './group-names.js'
import type { HostedReplicas } from './hosted-replicas.js'
import type { RaftReplica } from './raft-replica.js'
import { nextReassignmentStep, type ReassignmentStep } from './reassignment-plan.js'

export interface ReassignmentEngineOptions {
  readonly selfId: number
  readonly image: ClusterImage
  readonly hosted: HostedReplicas
  /** Commits a metadata record through the controller (forwarded to its leader). */
  readonly submit: (record: MetadataRecord) => Promise<void>
  readonly logger: Logger
}

export class ReassignmentEngine {
  /** Groups whose completion was proposed: not again every pass until the image drops the target (or it failed). */
  private readonly completing = new Set<string>()
  /** The last step logged per group, so a waiting group logs its reason once, not every pass. */
  private readonly lastLogged = new Map<string, string>()
  /** Per group, per broker: the offset a restore copying from this leader asked for last. */
  private readonly copied = new Map<string, Map<number, number>>()

  constructor(private readonly options: ReassignmentEngineOptions) {}

  /** One pass over the partitions being reassigned that this broker leads. */
  run(): void {
    const running = new Set<string>()
    for (const { topic, partition, target } of this.options.image.targets.all()) {
      const group = groupOf(topic, partition)
      running.add(group)
      const replica = this.options.hosted.get(group)
      const replicas = this.options.image.topic(topic)?.replicas[partition]
      if (replica === undefined || !replica.isLeader || replicas === undefined) continue
      const step = nextReassignmentStep(
        {
          selfId: this.options.selfId,
          voters: replica.voters,
          configPending: replica.configPending,
          holdsCommitted: (broker) => replica.holdsCommitted(broker),
        },
        replicas,
        target.replicas,
      )
      this.take(step, replica, target.replicas)
    }
    // What finished (or was deleted) is forgotten: these maps hold running reassignments only.
    for (const group of [...this.copied.keys()]) if (!running.has(group)) this.copied.delete(group)
    for (const group of [...this.lastLogged.keys()]) if (!running.has(group)) this.lastLogged.delete(group)
    for (const group of [...this.completing]) if (!running.has(group)) this.completing.delete(group)
  }

  /** A peer's restore fetched `group` from here at `offset`: it holds everything below. */
  noteCopy(group: string, broker: number, offset: number): void {
    const { topic, partition } = topicOfGroup(group)
    if (this.options.image.targets.of(topic, partition) === undefined) return
    let brokers = this.copied.get(group)
    if (brokers === undefined) this.copied.set(group, (brokers = new Map()))
    brokers.set(broker, Math.max(offset, brokers.get(broker) ?? 0))
  }

  /** How far each replica being added to `group` is behind, when this broker leads it; else undefined. */
  progressOf(group: string): ReplicaProgress[] | undefined {
    const { topic, partition } = topicOfGroup(group)
    const target = this.options.image.targets.of(topic, partition)
    const replicas = this.options.image.topic(topic)?.replicas[partition]
    const replica = this.options.hosted.get(group)
    if (target === undefined || replicas === undefined || replica === undefined || !replica.isLeader)
      return undefined
    const { logStartOffset, logEndOffset } = replica.log
    return target.replicas
      .filter((broker) => !replicas.includes(broker))
      .map((broker) => {
        const copiedBelow = this.copied.get(group)?.get(broker) ?? 0
        const held = Math.max(replica.matchOf(broker), copiedBelow - 1, logStartOffset - 1)
        return replicaProgress(broker, held, logStartOffset, logEndOffset)
      })
  }

  private take(step: ReassignmentStep, replica: RaftReplica, target: readonly number[]): void {
    const group = replica.group
    switch (step.action) {
      case 'add':
      case 'remove': {
        const change = step.action === 'add' ? { add: step.broker } : { remove: step.broker }
        if (replica.changeMembership(change))
          this.log(group, `${step.action === 'add' ? 'adding' : 'removing'} broker ${step.broker}`, 'info')
        return
      }
      case 'transfer':
        if (replica.handOver(step.to))
          this.log(group, `handing leadership to broker ${step.to}: this broker leaves the group`, 'info')
        return
      case 'complete':
        this.complete(group, target)
        return
      case 'wait':
        this.log(group, step.why, 'debug')
        return
    }
  }

  private complete(group: string, target: readonly number[]): void {
    if (this.completing.has(group)) return
    this.completing.add(group)
    const { topic, partition } = topicOfGroup(group)
    const record: MetadataRecord = { type: 'reassignmentCompleted', name: topic, partition, replicas: target }
    this.log(group, `reached ${target.join(',')}; committing the reassignment`, 'info')
    this.options.submit(record).catch((error: unknown) => {
      // The next pass proposes again (a newer target refuses this one: INVALID_REPLICA_ASSIGNMENT).
      this.completing.delete(group)
      this.options.logger.warn({ err: error, group }, `could not complete the reassignment of ${group}`)
    })
  }

  private log(group: string, what: string, level: 'info' | 'debug'): void {
    if (this.lastLogged.get(group) === what) return
    this.lastLogged.set(group, what)
    this.options.logger[level]({ group }, `reassigning ${group}: ${what}`)
  }
}

/** `held` is the last offset the replica holds; the leader's log is [logStart, logEnd). */
export function replicaProgress(
  broker: number,
  held: number,
  logStartOffset: number,
  logEndOffset: number,
): ReplicaProgress {
  const span = logEndOffset - logStartOffset
  const have = Math.min(Math.max(held + 1 - logStartOffset, 0), span)
  const caughtUpPercent = span <= 0 ? 100 : Math.floor((100 * have) / span)
  return { broker, caughtUpPercent, offsetsBehind: Math.max(0, span - have) }
}
