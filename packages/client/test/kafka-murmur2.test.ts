// Proves kafkaMurmur2 is Kafka's Utils.murmur2 (Kafka's and the Java implementation's own test vectors) and that kafkaMurmur2Partition picks the partition KafkaJS's DefaultPartitioner picks, for thousands of random keys and partition counts.
import { Partitioners } from 'kafkajs'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { kafkaMurmur2, kafkaMurmur2Partition } from '../src/kafka-murmur2.js'

test("Kafka's UtilsTest.testMurmur2 vectors and those of Utils.murmur2 quoted by Akka's Murmur2Spec", () => {
  const vectors: [Uint8Array, number][] = [
    [Buffer.from('21'), -973932308],
    [Buffer.from('foobar'), -790332482],
    [Buffer.from('a-little-bit-long-string'), -985981536],
    [Buffer.from('a-little-bit-longer-string'), -1486304829],
    [Buffer.from('lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8'), -58897971],
    [new Uint8Array([0x61, 0x62, 0x63]), 479470107],
    [Buffer.from('1'), -1993445489],
    [Buffer.from('12'), 126087238],
    [Buffer.from('123'), -267702483],
    [Buffer.from('1234'), -1614185708],
    [Buffer.from('12345'), -1188365604],
  ]
  for (const [bytes, expected] of vectors)
    assert.is(kafkaMurmur2(bytes), expected, Buffer.from(bytes).toString())
})

test('toPositive is & 0x7fffffff, not Math.abs: a negative hash keeps its low 31 bits', () => {
  // 'foobar' hashes to -790332482; & 0x7fffffff gives 1357151166, Math.abs 790332482 (→ 2 mod 4).
  assert.is(kafkaMurmur2Partition(Buffer.from('foobar'), 1_000_000_000), 1357151166 % 1_000_000_000)
  assert.is(kafkaMurmur2Partition(Buffer.from('foobar'), 4), 1357151166 % 4)
})

/** xorshift32: reproducible keys without Math.random, so a failure names a seed that replays it. */
function randomSource(seed: number) {
  let state = seed >>> 0 || 1
  return () => {
    state ^= state << 13
    state >>>= 0
    state ^= state >>> 17
    state ^= state << 5
    state >>>= 0
    return state
  }
}

test("agrees with KafkaJS's DefaultPartitioner for 5,000 random keys (0 to 99 bytes) and partition counts (1 to 1,000)", () => {
  const kafkajs = Partitioners.DefaultPartitioner()
  const next = randomSource(0x5eed)
  for (let round = 0; round < 5_000; round++) {
    const key = Buffer.alloc(next() % 100)
    for (let index = 0; index < key.length; index++) key[index] = next() & 0xff
    const partitionCount = 1 + (next() % 1_000)
    const partitionMetadata = Array.from({ length: partitionCount }, (_, partitionId) => ({
      partitionId,
      leader: 0,
      partitionErrorCode: 0,
      replicas: [0],
      isr: [0],
    }))
    const expected = kafkajs({ topic: 't', partitionMetadata, message: { key, value: null } })
    assert.is(
      kafkaMurmur2Partition(key, partitionCount),
      expected,
      `key ${key.toString('hex')}, ${partitionCount}`,
    )
  }
})

test('string keys as UTF-8 bytes, as KafkaJS sends them', () => {
  const kafkajs = Partitioners.DefaultPartitioner()
  const partitionMetadata = Array.from({ length: 12 }, (_, partitionId) => ({
    partitionId,
    leader: 0,
    partitionErrorCode: 0,
    replicas: [0],
    isr: [0],
  }))
  for (const key of ['user-42', 'ü', '日本語のキー', '🎉', ''])
    assert.is(
      kafkaMurmur2Partition(Buffer.from(key), 12),
      kafkajs({ topic: 't', partitionMetadata, message: { key, value: null } }),
      key,
    )
})

test.run()
