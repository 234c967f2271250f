// Compares one partition's replicas byte for byte below its committed end. The comparison is pure
// (batches in, report out); reading the batches from a stopped broker's segment files is the edge
// (segment-batches.ts).
import type { ReplicaReport } from './history.js'

/** One record batch as a replica stores it. */
export interface StoredBatch {
  readonly baseOffset: number
  readonly lastOffset: number
  readonly bytes: Buffer
}

/**
 * Every replica must hold every batch below `committedEnd`, with the same bytes. A replica whose
 * batches stop short is `behind`; a batch (by base offset) that two replicas hold differently, or
 * that one lacks while holding later offsets, is a disagreement.
 */
export function compareReplicas(
  partition: number,
  committedEnd: number,
  logs: ReadonlyMap<number, readonly StoredBatch[]>,
): ReplicaReport {
  const brokers = [...logs.keys()].sort((a, b) => a - b)
  const committed = new Map<number, Map<number, Buffer>>()
  const heldEnds = new Map<number, number>()
  for (const broker of brokers) {
    const batches = new Map<number, Buffer>()
    let heldEnd = 0
    for (const batch of logs.get(broker)!) {
      heldEnd = Math.max(heldEnd, batch.lastOffset + 1)
      if (batch.lastOffset < committedEnd) batches.set(batch.baseOffset, batch.bytes)
    }
    committed.set(broker, batches)
    heldEnds.set(broker, Math.min(heldEnd, committedEnd))
  }
  const baseOffsets = new Set<number>()
  for (const batches of committed.values()) for (const offset of batches.keys()) baseOffsets.add(offset)
  const disagreements: { offset: number; brokers: number[] }[] = []
  for (const offset of [...baseOffsets].sort((a, b) => a - b)) {
    const holders = brokers.filter((broker) => heldEnds.get(broker)! > offset)
    const first = committed.get(holders[0]!)!.get(offset)
    const differ = holders.some((broker) => {
      const bytes = committed.get(broker)!.get(offset)
      return bytes === undefined || first === undefined || !bytes.equals(first)
    })
    if (differ) disagreements.push({ offset, brokers: holders })
  }
  const behind = brokers
    .filter((broker) => heldEnds.get(broker)! < committedEnd)
    .map((broker) => ({ broker, heldEnd: heldEnds.get(broker)! }))
  return { partition, committedEnd, brokers, disagreements, behind }
}
