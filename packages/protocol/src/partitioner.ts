// Which partition a record goes to. Client and storage both call these, so the rule lives in one
// place; ../test/fixtures/murmur3-partitions.json pins it with test vectors.
import murmurHash3 from 'murmurhash3js-revisited'

const utf8 = new TextEncoder()

/** murmur3 x86 32-bit hash, seed 0, of the key's bytes (strings as UTF-8), as an unsigned number. */
export function keyHash(key: string | Uint8Array): number {
  const bytes = typeof key === 'string' ? utf8.encode(key) : key
  return murmurHash3.x86.hash32(bytes, 0) >>> 0
}

export function partitionForKey(key: string | Uint8Array, partitionCount: number): number {
  assertPartitionCount(partitionCount)
  return keyHash(key) % partitionCount
}

/**
 * Keyless records stick to one partition until the current batch for it is sealed, then move on
 * (Kafka's KIP-480): full batches instead of one tiny batch per partition. The starting point is
 * injected so the class stays deterministic under test.
 */
export class StickyPartitioner {
  private current: number | undefined

  constructor(private readonly random: () => number = Math.random) {}

  /** The partition keyless records go to now. */
  partition(partitionCount: number): number {
    assertPartitionCount(partitionCount)
    if (this.current === undefined || this.current >= partitionCount) {
      this.current = Math.floor(this.random() * partitionCount) % partitionCount
    }
    return this.current
  }

  /** Called when the batch of the current partition is sealed: the next keyless record moves on. */
  batchSealed(partitionCount: number): void {
    assertPartitionCount(partitionCount)
    this.current = this.current === undefined ? 0 : (this.current + 1) % partitionCount
  }
}

/** One rule for both keyed and keyless records. */
export function choosePartition(
  key: string | Uint8Array | null | undefined,
  partitionCount: number,
  sticky: StickyPartitioner,
): number {
  return key == null ? sticky.partition(partitionCount) : partitionForKey(key, partitionCount)
}

function assertPartitionCount(partitionCount: number): void {
  if (!Number.isInteger(partitionCount) || partitionCount < 1) {
    throw new RangeError(`partition count must be a positive integer, got ${partitionCount}`)
  }
}
