// The Raft traffic between this broker's replicas and its peers' replicas: outgoing messages carry
// the incarnation (creation) of the topic they belong to and go through the peer links, coalesced
// per peer; incoming RaftMessages are stepped into the hosted replica of the same incarnation;
// leader news is announced to and learned from peers; a restoring replica copies committed
// batches from its leader with an ordinary Fetch.
import { ErrorCodes, Fetch, type RaftMessagesRequest, type ReplicaProgress, WeirError } from '@weir/protocol'
import type { Message } from '@weir/raft'
import { controllerGroup } from './controller.js'
import { topicOfGroup } from './group-names.js'
import type { HostedReplicas } from './hosted-replicas.js'
import type { LeaderDirectory } from './leader-directory.js'
import type { PeerLinks } from './peer-links.js'
import { checkRaftMessage } from './raft-message-check.js'
import { LogStartMoved, type ReplicaTransport } from './raft-replica.js'

export class RaftTraffic {
  /** A reassigned partition's progress, announced with its leader (set by the Cluster). */
  progressOf: (group: string) => readonly ReplicaProgress[] | undefined = () => undefined

  constructor(
    private readonly selfId: number,
    /** The brokers of the cluster now (they change with add-broker and remove-broker). */
    private readonly brokerIds: () => readonly number[],
    private readonly hosted: HostedReplicas,
    private readonly leaders: LeaderDirectory,
    private readonly links: PeerLinks,
  ) {}

  /** A cluster of this broker only sends nothing. */
  private get alone(): boolean {
    return this.brokerIds().length === 1
  }

  /** The transport of one replica: its messages carry the incarnation of the group they belong to. */
  transportFor(incarnation: string): ReplicaTransport {
    return {
      send: (group, message) => this.send(group, incarnation, message),
      fetchCommitted: (leaderId, group, offset, maxBytes) =>
        this.fetchCommitted(leaderId, group, offset, maxBytes),
    }
  }

  /** A RaftMessages request from a peer: leader news first, then each message into its group. */
  receive(request: RaftMessagesRequest): void {
    // Only brokers of the cluster take part; anyone else's messages (a removed broker) are dropped.
    if (!this.brokerIds().includes(request.from) || request.from === this.selfId) return
    for (const news of request.leaders) this.leaders.learn(news)
    for (const envelope of request.messages) {
      const replica = this.hosted.get(envelope.group)
      // Another creation of the topic (this broker or the sender missed a delete and re-create):
      // its terms and offsets mean nothing here. The stale side drops its logs once its
      // controller replica catches up.
      if (replica === undefined || this.hosted.incarnationOf(envelope.group) !== envelope.incarnation)
        continue
      replica.step(checkRaftMessage(envelope.message))
    }
  }

  /** Tells every peer who leads `group` (with the in-sync replicas of a partition). */
  announce(group: string, leaderId: number, term: number): void {
    if (this.alone) return
    const incarnation = this.hosted.incarnationOf(group)
    if (incarnation === undefined) return
    const isr = group === controllerGroup ? undefined : this.hosted.get(group)?.inSyncReplicas
    const progress = group === controllerGroup ? undefined : this.progressOf(group)
    this.links.announce({
      group,
      incarnation,
      leaderId,
      term,
      ...(isr?.length ? { isr } : {}),
      ...(progress === undefined ? {} : { progress }),
    })
  }

  /** Leaders re-announce what they lead, for brokers that restarted and know nothing. */
  announceAll(): void {
    for (const replica of this.hosted.values()) {
      if (replica.isLeader) this.announce(replica.group, this.selfId, replica.term)
    }
  }

  private send(group: string, incarnation: string, message: Message): void {
    let bytes = 64
    if (message.type === 'append') for (const entry of message.entries) bytes += entry.data.length + 32
    const envelope = { group, incarnation, message: message as unknown as Record<string, unknown> }
    this.links.send(message.to, envelope, bytes)
  }

  private async fetchCommitted(
    leaderId: number,
    group: string,
    offset: number,
    maxBytes: number,
  ): Promise<Buffer> {
    const { topic, partition } = topicOfGroup(group)
    const response = await this.links.request(leaderId, Fetch, {
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes,
      topics: [{ name: topic, partitions: [{ partition, fetchOffset: offset, maxBytes }] }],
    })
    const result = response.topics[0]?.partitions[0]
    if (
      result !== undefined &&
      result.errorCode === ErrorCodes.OFFSET_OUT_OF_RANGE.code &&
      result.logStartOffset > offset
    ) {
      throw new LogStartMoved(group, result.logStartOffset)
    }
    if (result === undefined || result.errorCode !== 0) {
      throw new WeirError(
        'BROKER_UNAVAILABLE',
        `restore fetch of ${group} from broker ${leaderId} failed: ${result?.errorMessage ?? 'no partition in the answer'}`,
      )
    }
    return result.records
  }
}
