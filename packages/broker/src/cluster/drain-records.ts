// Draining brokers as controller-log records, and the part of the cluster image that holds them.
// A draining broker hands every leadership it holds to other brokers, and no broker hands a
// partition back to it; replicas stay where they are (new topics may still place some there).
// The mark is committed, so every broker knows it and it survives restarts until undrained.

export interface DrainRecord {
  readonly type: 'brokerDrainChanged'
  /** The broker marked or unmarked. */
  readonly id: number
  readonly draining: boolean
}

const brokerIdMax = 2 ** 31 - 1

export function isDrainRecord(record: { readonly type: string }): record is DrainRecord {
  return record.type === 'brokerDrainChanged'
}

/** Shape check of a drain record from a peer or the log; `bad` builds the caller's typed error. */
export function checkDrainRecord(record: Record<string, unknown>, bad: (why: string) => Error): DrainRecord {
  const { id, draining } = record
  if (typeof id !== 'number' || !Number.isInteger(id) || id < 1 || id > brokerIdMax)
    throw bad(`brokerDrainChanged.id must be a broker id from 1 to ${brokerIdMax}`)
  if (typeof draining !== 'boolean') throw bad('brokerDrainChanged.draining must be true or false')
  return { type: 'brokerDrainChanged', id, draining }
}

/** The brokers marked draining, as the committed records say (every broker holds the same set). */
export class DrainingBrokers {
  private readonly ids = new Set<number>()

  apply(record: DrainRecord): void {
    if (record.draining) this.ids.add(record.id)
    else this.ids.delete(record.id)
  }

  has(id: number): boolean {
    return this.ids.has(id)
  }

  /** A copy: the caller may keep it while records are applied. */
  set(): ReadonlySet<number> {
    return new Set(this.ids)
  }
}
