// The controller: the cluster metadata as a Raft log over every broker. Any broker may submit a
// change; the leader checks it against the image, commits it, and answers once it is applied.
// Changes run one at a time on the leader, so each check sees every change before it. A broker
// that does not lead forwards the change (ControllerPropose) and retries on leader moves.
import {
  ControllerPropose,
  delay,
  encodeBody,
  encodeRecordBatch,
  isWeirError,
  randomId,
  settlesWithin,
  WeirError,
} from '@weir/protocol'
import type { BrokerEnvironment } from '../environment.js'
import type { ClusterImage, MetadataRecord } from './cluster-image.js'
import { checkProposal, controllerTopic, type ProposalOrigin } from './metadata-record-check.js'
import type { PeerLinks } from './peer-links.js'
import type { Peer } from './peers.js'
import type { PlacementLimits } from './placement-limits.js'
import type { RaftReplica } from './raft-replica.js'

export { checkMetadataRecord, controllerTopic } from './metadata-record-check.js'
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
    /** The brokers of the cluster now: a replica set may name no other. */
    private readonly brokers: () => readonly Peer[],
    /** maxTopics and maxPartitionsPerBroker, checked on every user proposal this broker commits. */
    private readonly placement?: PlacementLimits,
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

  /**
   * On the leader: check against the image, commit, wait until applied. One change at a time.
   * Only `origin` 'broker' (this leader's own upkeep) may create an internal topic.
   */
  proposeHere(record: MetadataRecord, origin: ProposalOrigin = 'user'): Promise<void> {
    const run = this.serial.then(async () => {
      await this.imageCurrent()
      if (record.change !== undefined && this.image.applied(record.change)) return
      checkProposal(record, {
        image: this.image,
        brokerIds: this.brokers().map((peer) => peer.id),
        brokers: this.brokers(),
        origin,
        ...(this.placement === undefined ? {} : { placement: this.placement }),
      })
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
