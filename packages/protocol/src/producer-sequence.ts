// Sequence arithmetic of the idempotent producer, shared by the client (which stamps sequences)
// and the broker (which checks them), so the two can never disagree about wrapping.

/** Sequences are non-negative i32s: after 2^31 - 1 comes 0, as in Kafka. */
export const sequenceModulus = 2 ** 31

/** The sequence `count` records after `sequence` (the next batch's baseSequence when count is a batch's record count). */
export function sequenceAfter(sequence: number, count: number): number {
  return (sequence + count) % sequenceModulus
}

/** The sequence of the last record of a batch of `recordCount` records starting at `baseSequence`. */
export function lastSequenceOf(baseSequence: number, recordCount: number): number {
  return sequenceAfter(baseSequence, recordCount - 1)
}

/** producerId, producerEpoch and baseSequence of a batch built without idempotence. */
export const noProducerId = -1
