// The producer's partitioner choice, pure (no clock, no randomness of its own): 'murmur3' (the
// default: murmur3 of the key, sticky for keyless records), 'kafka-murmur2' (Kafka's Java and
// KafkaJS's default for keys, sticky for keyless records), 'round-robin' (every record to the next
// partition, keys ignored), or the application's function. A new named rule is one more entry in
// `namedPartitioners`.
import { partitionForKey, WeirError } from '@weir/protocol'
import { kafkaMurmur2Partition } from './kafka-murmur2.js'

/** The application's rule: the partition for a record, an integer from 0 to partitionCount - 1. */
export type PartitionerFunction = (key: Buffer | null, partitionCount: number, topic: string) => number

export type PartitionerName = keyof typeof namedPartitioners

/** ProducerOptions.partitioner. */
export type PartitionerOption = PartitionerName | PartitionerFunction

/** A chosen partitioner. `undefined` means "keyless: use the producer's sticky partition". */
export interface Partitioner {
  partition(topic: string, key: Buffer | null, partitionCount: number): number | undefined
}

/** Topics whose round-robin position is kept; past it the positions start over (bounded memory). */
const roundRobinTopicsMax = 10_000

const namedPartitioners = {
  murmur3: (): Partitioner => ({
    partition: (_topic, key, partitionCount) =>
      key === null ? undefined : partitionForKey(key, partitionCount),
  }),
  // For topics Kafka clients also write to: the same key lands on the same partition.
  'kafka-murmur2': (): Partitioner => ({
    partition: (_topic, key, partitionCount) =>
      key === null ? undefined : kafkaMurmur2Partition(key, partitionCount),
  }),
  'round-robin': (): Partitioner => {
    const next = new Map<string, number>()
    return {
      partition(topic, _key, partitionCount) {
        if (next.size >= roundRobinTopicsMax && !next.has(topic)) next.clear()
        const position = (next.get(topic) ?? 0) % partitionCount
        next.set(topic, position + 1)
        return position
      },
    }
  },
} as const

export function partitionerNames(): PartitionerName[] {
  return Object.keys(namedPartitioners) as PartitionerName[]
}

/** Checks the option when the producer is built (INVALID_CONFIG), and returns the rule. */
export function choosePartitioner(option: PartitionerOption | undefined): Partitioner {
  const chosen = option ?? 'murmur3'
  if (typeof chosen === 'function') return customPartitioner(chosen)
  if (typeof chosen === 'string' && Object.hasOwn(namedPartitioners, chosen))
    return namedPartitioners[chosen]()
  throw new WeirError(
    'INVALID_CONFIG',
    `producer option partitioner must be ${partitionerNames()
      .map((name) => `'${name}'`)
      .join(', ')} or a function (key, partitionCount, topic) => partition, got ${JSON.stringify(chosen)}`,
  )
}

function customPartitioner(rule: PartitionerFunction): Partitioner {
  return {
    partition(topic, key, partitionCount) {
      const partition = rule(key, partitionCount, topic)
      if (!Number.isInteger(partition) || partition < 0 || partition >= partitionCount)
        throw new WeirError(
          'INVALID_CONFIG',
          `the producer's partitioner returned ${String(partition)} for topic ${topic}, which has ${partitionCount} partitions: return an integer from 0 to ${partitionCount - 1}`,
        )
      return partition
    },
  }
}
