// The Raft replicas this broker hosts, each with the creation (incarnation) of its topic: the
// controller's is "". Messages for a group are stepped in only when their incarnation matches.
import { groupOf, topicOfGroup } from './group-names.js'
import type { RaftReplica } from './raft-replica.js'

export class HostedReplicas {
  private readonly replicas = new Map<string, RaftReplica>()
  private readonly incarnations = new Map<string, string>()

  get(group: string): RaftReplica | undefined {
    return this.replicas.get(group)
  }

  of(topic: string, partition: number): RaftReplica | undefined {
    return this.replicas.get(groupOf(topic, partition))
  }

  has(group: string): boolean {
    return this.replicas.has(group)
  }

  incarnationOf(group: string): string | undefined {
    return this.incarnations.get(group)
  }

  add(replica: RaftReplica, incarnation: string): void {
    this.replicas.set(replica.group, replica)
    this.incarnations.set(replica.group, incarnation)
  }

  /** The groups of one topic hosted here. */
  groupsOf(topic: string): string[] {
    return [...this.replicas.keys()].filter((group) => topicOfGroup(group).topic === topic)
  }

  /** Closes and forgets one replica. */
  async remove(group: string): Promise<void> {
    const replica = this.replicas.get(group)
    this.replicas.delete(group)
    this.incarnations.delete(group)
    await replica?.close()
  }

  values(): IterableIterator<RaftReplica> {
    return this.replicas.values()
  }

  tick(): void {
    for (const replica of this.replicas.values()) replica.tick()
  }

  async close(): Promise<void> {
    await Promise.all([...this.replicas.values()].map((replica) => replica.close()))
  }
}
