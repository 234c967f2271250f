// The controller: the cluster metadata as a Raft log over every broker. Any broker may submit a
// change; the leader checks it against the image, commits it, and answers once it is applied.
// Changes run one at a time on the leader, so each check sees every change before it. A broker
// that does not lead forwards the change (ControllerPropose) and retries on leader moves.
import {
  ControllerPropose,
  decodeBody,
  decodeRecordBatch,
  delay,
  encodeBody,
  encodeRecordBatch,
  isWeirError,
  randomId,
  settlesWithin,
  WeirError,
} from '@weir/protocol'
import { type Entry, EntryKind } from '@weir/raft'
import { checkAclRecord, isAclRecord } from '../acl/acl-records.js'
import { checkUserRecord, isUserRecord } from '../auth/user-records.js'
import type { BrokerEnvironment } from '../environment.js'
import type { ClusterImage, MetadataRecord } from './cluster-image.js'
import type { PeerLinks } from './peer-links.js'
import { asBuffer } from './raft-batches.js'
import type { RaftReplica } from './raft-replica.js'

export const controllerTopic = '__cluster_metadata'
export const controllerGroup = `${controllerTopic}/0`

const retryMs = 100
/** How long a new controller leader waits for its no-op to commit before checking a change. */
const catchUpWaitMs = 5000

/** What the controller needs of its Raft replica. */
export type ControllerLog = Pick<RaftReplica, 'isLeader' | 'leaderId' | 'caughtUp' | 'propose' | 'notLeader'>

export class Controller {
  private serial: Promise<unknown> = Promise.resolve()

  constructor(
    readonly replica: ControllerLog,
    private readonly image: ClusterImage,
    private readonly links: Pick<PeerLinks, 'request'>,
    private readonly environment: Pick<BrokerEnvironment, 'clock' | 'timers' | 'random'>,
  ) {}

  get leaderId(): number {
    return this.replica.leaderId
  }

  /**
   * Commits `record` to the controller log via its leader, wherever that is. Resolves once the
   * leader applied it (this broker applies it when it learns of the commit). Errors: the check's typed error (TOPIC_ALREADY_EXISTS,
   * UNKNOWN_TOPIC), REQUEST_TIMED_OUT when no leader took it within `timeoutMs`.
   */
  async submit(proposed: MetadataRecord, timeoutMs: number): Promise<void> {
    const { clock } = this.environment
    // Every attempt carries the same change id, so a retry of a change that did commit is
    // recognised rather than refused (UNKNOWN_TOPIC for a delete that already happened).
    const record = { ...proposed, change: proposed.change ?? randomId(this.environment.random) }
    const deadline = clock.now() + timeoutMs
    for (;;) {
      try {
        if (this.replica.isLeader) return await this.proposeHere(record)
        const leader = this.replica.leaderId
        if (leader === 0) throw new WeirError('NOT_LEADER', 'the controller has no leader yet')
        await this.links.request(leader, ControllerPropose, { record: encodeBody(record) })
        return
      } catch (error) {
        const retriable =
          isWeirError(error) &&
          ['NOT_LEADER', 'BROKER_UNAVAILABLE', 'CONNECTION_CLOSED', 'REQUEST_TIMED_OUT'].includes(error.code)
        if (!retriable) throw error
        if (clock.now() + retryMs > deadline) {
          throw new WeirError(
            'REQUEST_TIMED_OUT',
            `the cluster controller did not commit the change within ${timeoutMs} ms (${(error as Error).message}); check that a majority of brokers is up and retry`,
          )
        }
        await delay(this.environment.timers, retryMs)
      }
    }
  }

  /** On the leader: check against the image, commit, wait until applied. One change at a time. */
  proposeHere(record: MetadataRecord): Promise<void> {
    const run = this.serial.then(async () => {
      await this.imageCurrent()
      if (record.change !== undefined && this.image.applied(record.change)) return
      checkRecord(record, this.image)
      const batch = encodeRecordBatch([{ value: encodeBody(record) }], {
        timestamp: this.environment.clock.now(),
      })
      const { done } = this.replica.propose([batch], 'all')
      await done
    })
    this.serial = run.catch(() => {})
    return run
  }

  /**
   * A new leader (say, one that just restarted) knows only what it had applied; what earlier
   * leaders committed reaches its image when its own no-op commits. Checks wait for that.
   */
  private async imageCurrent(): Promise<void> {
    const caughtUp = await settlesWithin(this.environment.timers, this.replica.caughtUp(), catchUpWaitMs)
    if (!caughtUp || !this.replica.isLeader) {
      throw new WeirError('NOT_LEADER', 'the controller leader is still catching up; retry shortly')
    }
  }
}

/** A change the image would reject: typed error for the user. */
function checkRecord(record: MetadataRecord, image: ClusterImage): void {
  // ACL changes hold no reference to the image: a binding may name a topic not created yet.
  if (isAclRecord(record)) return
  // Users are not topics: setting a credential always applies, deleting an unknown user is a no-op.
  if (isUserRecord(record)) return
  const exists = image.topic(record.name) !== undefined
  if (record.type === 'topicCreated' && exists) {
    throw new WeirError('TOPIC_ALREADY_EXISTS', `topic ${record.name} already exists`)
  }
  if (record.type !== 'topicCreated' && !exists) {
    throw new WeirError(
      'UNKNOWN_TOPIC',
      `topic ${record.name} does not exist; list topics with \`weir topics list\``,
    )
  }
  const count = image.topic(record.name)?.replicas.length ?? 0
  if (record.type === 'partitionsCreated' && record.first !== undefined && record.first !== count) {
    // The forwarding broker assigned replicas from a stale image (it had just restarted).
    throw new WeirError(
      'INVALID_CONFIG',
      `topic ${record.name} has ${count} partitions, not the ${record.first} the receiving broker knew; retry the request`,
    )
  }
}

/** The metadata records in a committed controller entry (none in no-op and config entries). */
export function recordsOfEntry(entry: Entry): MetadataRecord[] {
  if (entry.kind !== EntryKind.normal) return []
  return decodeRecordBatch(asBuffer(entry.data)).records.map((record) =>
    checkMetadataRecord(decodeBody(record.value ?? Buffer.alloc(0), 'metadata record')),
  )
}

/** Shape check for a record from a peer (ControllerPropose) or the log: INVALID_REQUEST otherwise. */
export function checkMetadataRecord(value: unknown): MetadataRecord {
  const record = value as Partial<Record<string, unknown>>
  const bad = (why: string) => new WeirError('INVALID_REQUEST', `metadata record: ${why}`)
  if (typeof record !== 'object' || record === null) throw bad('not a map')
  if (isAclRecord(record as { type: string })) return checkAclRecord(record)
  if (typeof record.name !== 'string' || record.name === '') throw bad('name must be a string')
  if (record.change !== undefined && (typeof record.change !== 'string' || record.change === ''))
    throw bad('change must be a non-empty string')
  const replicasOk = (replicas: unknown) =>
    Array.isArray(replicas) &&
    replicas.every(
      (set) => Array.isArray(set) && set.length > 0 && set.every((id) => Number.isInteger(id) && id > 0),
    )
  switch (record.type) {
    case 'topicCreated':
      if (!replicasOk(record.replicas) || typeof record.config !== 'object' || record.config === null)
        throw bad('topicCreated needs replicas and config')
      if (typeof record.id !== 'string' || record.id === '') throw bad('topicCreated needs an id')
      return record as MetadataRecord
    case 'partitionsCreated':
      if (!replicasOk(record.replicas)) throw bad('partitionsCreated needs replicas')
      if (record.first !== undefined && !(Number.isInteger(record.first) && (record.first as number) >= 0))
        throw bad('partitionsCreated.first must be a partition count')
      return record as MetadataRecord
    case 'topicDeleted':
      return record as MetadataRecord
    case 'userCredentialSet':
    case 'userDeleted': {
      const change = record.change === undefined ? {} : { change: record.change as string }
      return { ...checkUserRecord(record, bad), ...change }
    }
    default:
      throw bad(`unknown type ${JSON.stringify(record.type)}`)
  }
}
