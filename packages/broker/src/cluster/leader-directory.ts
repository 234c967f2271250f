// Who leads each partition, as this broker knows it: its own replica's view where it hosts one,
// otherwise the latest news a leader announced (with the in-sync replicas). Handlers answer
// Metadata, FindCoordinator and NOT_LEADER hints from here.
import type { LeaderNews, ReplicaProgress } from '@weir/protocol'
import type { ClusterImage } from './cluster-image.js'
import { controllerGroup } from './controller.js'
import { groupOf, topicOfGroup } from './group-names.js'
import type { HostedReplicas } from './hosted-replicas.js'

interface Known {
  readonly leaderId: number
  readonly term: number
  readonly isr?: readonly number[] | undefined
  readonly progress?: readonly ReplicaProgress[] | undefined
}

export const controllerIncarnation = ''

export class LeaderDirectory {
  private readonly known = new Map<string, Known>()

  constructor(
    private readonly image: ClusterImage,
    private readonly hosted: HostedReplicas,
  ) {}

  /** This broker's own replica saw a new leader. */
  set(group: string, leaderId: number, term: number): void {
    this.known.set(group, { leaderId, term })
  }

  forget(group: string): void {
    this.known.delete(group)
  }

  /** A peer's announcement; only groups of the image (and of that creation) are kept. */
  learn(news: LeaderNews): void {
    const { topic, partition } = topicOfGroup(news.group)
    const image = this.image.topic(topic)
    const exists =
      news.group === controllerGroup
        ? news.incarnation === controllerIncarnation
        : image !== undefined && image.id === news.incarnation && partition < image.replicas.length
    if (!exists) return
    const known = this.known.get(news.group)
    if (known !== undefined && known.term > news.term) return
    this.known.set(news.group, {
      leaderId: news.leaderId,
      term: news.term,
      isr: news.isr,
      progress: news.progress,
    })
  }

  /** The leader of a partition: its own replica's view, else peers' news; -1 if none. */
  leaderOf(topic: string, partition: number): number {
    const group = groupOf(topic, partition)
    const own = this.hosted.get(group)
    const leader =
      own !== undefined && own.leaderId !== 0 ? own.leaderId : (this.known.get(group)?.leaderId ?? 0)
    return leader === 0 ? -1 : leader
  }

  /** A reassigned partition's progress as its leader last announced it; undefined if unknown. */
  announcedProgressOf(topic: string, partition: number): readonly ReplicaProgress[] | undefined {
    const known = this.known.get(groupOf(topic, partition))
    return known !== undefined && known.leaderId === this.leaderOf(topic, partition)
      ? known.progress
      : undefined
  }

  /** The in-sync replicas (the leader's own set, or its announcement); undefined if unknown. */
  inSyncOf(topic: string, partition: number): readonly number[] | undefined {
    const group = groupOf(topic, partition)
    const own = this.hosted.get(group)
    if (own?.isLeader) return own.inSyncReplicas
    const known = this.known.get(group)
    return known !== undefined && known.leaderId === this.leaderOf(topic, partition) ? known.isr : undefined
  }
}
