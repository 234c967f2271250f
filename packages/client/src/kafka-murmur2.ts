// Kafka's default placement of keyed records (the Java client's and KafkaJS's DefaultPartitioner):
// `toPositive(murmur2(keyBytes)) % partitionCount`, with the Java client's murmur2 (seed
// 0x9747b28c) and toPositive = `& 0x7fffffff` (not Math.abs: Integer.MIN_VALUE has none). Pure;
// the producer's 'kafka-murmur2' partitioner uses it so that a Weir producer and a Kafka producer
// put one key on one partition of a topic both write to.

const seed = 0x9747b28c
// Mixing constants of MurmurHash2, as in Kafka's Utils.murmur2.
const multiplier = 0x5bd1e995
const shift = 24

/** Kafka's Utils.murmur2 of the bytes, as Java's signed 32-bit int. */
export function kafkaMurmur2(data: Uint8Array): number {
  const length = data.length
  const wholeWordsEnd = length & ~3
  let hash = seed ^ length
  for (let index = 0; index < wholeWordsEnd; index += 4) {
    // Little-endian word, as Java assembles it from the (masked) bytes.
    let word =
      (data[index] as number) |
      ((data[index + 1] as number) << 8) |
      ((data[index + 2] as number) << 16) |
      ((data[index + 3] as number) << 24)
    word = Math.imul(word, multiplier)
    word ^= word >>> shift
    word = Math.imul(word, multiplier)
    hash = Math.imul(hash, multiplier) ^ word
  }
  const tailBytes = length & 3
  if (tailBytes === 3) hash ^= (data[wholeWordsEnd + 2] as number) << 16
  if (tailBytes >= 2) hash ^= (data[wholeWordsEnd + 1] as number) << 8
  if (tailBytes >= 1) {
    hash ^= data[wholeWordsEnd] as number
    hash = Math.imul(hash, multiplier)
  }
  hash ^= hash >>> 13
  hash = Math.imul(hash, multiplier)
  hash ^= hash >>> 15
  return hash | 0
}

/** The partition Kafka's Java client (and KafkaJS's default partitioner) picks for a keyed record. */
export function kafkaMurmur2Partition(key: Uint8Array, partitionCount: number): number {
  return (kafkaMurmur2(key) & 0x7fffffff) % partitionCount
}
