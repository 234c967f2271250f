// Wakes long-polling fetches when data lands. Produce calls `notify` once an append has resolved
// (so it is below the durable end); a waiting fetch registers one callback per partition it reads.
// No timers: the only timer a fetch has is its own maxWaitMs.

type Wake = () => void

export class PartitionWatch {
  private readonly waiters = new Map<string, Set<Wake>>()

  /** Calls `wake` (at most once) when any of `partitions` gets new data; returns the unsubscribe. */
  subscribe(partitions: readonly { topic: string; partition: number }[], wake: Wake): () => void {
    const keys = partitions.map(({ topic, partition }) => key(topic, partition))
    let woken = false
    const once = () => {
      if (woken) return
      woken = true
      unsubscribe()
      wake()
    }
    const unsubscribe = () => {
      for (const entry of keys) {
        const set = this.waiters.get(entry)
        set?.delete(once)
        if (set?.size === 0) this.waiters.delete(entry)
      }
    }
    for (const entry of keys) {
      let set = this.waiters.get(entry)
      if (!set) this.waiters.set(entry, (set = new Set()))
      set.add(once)
    }
    return unsubscribe
  }

  notify(topic: string, partition: number): void {
    const set = this.waiters.get(key(topic, partition))
    if (set) for (const wake of [...set]) wake()
  }

  /** A topic was deleted: every fetch on it answers now (with UNKNOWN_TOPIC). */
  notifyTopic(topic: string): void {
    const prefix = `${topic}\u0000`
    for (const [entry, set] of [...this.waiters])
      if (entry.startsWith(prefix)) for (const wake of [...set]) wake()
  }

  /** Shutting down: every waiting fetch answers with what it has. */
  notifyAll(): void {
    for (const set of [...this.waiters.values()]) for (const wake of [...set]) wake()
  }
}

function key(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`
}
