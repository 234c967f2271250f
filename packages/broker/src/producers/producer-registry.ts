// The idempotent-producer table of every partition this broker appends to, built lazily: the first
// idempotent produce to a partition scans the partition's recent batch headers (rebuild), later
// ones reuse the table. Keyed by the PartitionLog object, so a deleted topic's tables go with its
// logs and a topic created again under the same name starts empty.
import type { PartitionLog } from '@weir/storage'
import { ProducerStateTable } from './producer-state.js'

/**
 * Segments scanned, counted from the active one back, when a table is built: at least one whole
 * segment of history (128 MiB by default). A producer whose batches all lie further back is
 * unknown to the table and its next batch is accepted at any sequence (as after retention).
 */
export const producerStateScanSegments = 2

export class ProducerStateRegistry {
  private readonly tables = new WeakMap<PartitionLog, Promise<ProducerStateTable>>()

  /** The partition's table; the first call scans the log. Errors: those of PartitionLog.read. */
  tableFor(log: PartitionLog): Promise<ProducerStateTable> {
    let table = this.tables.get(log)
    if (table === undefined) {
      table = buildTable(log)
      this.tables.set(log, table)
      // A failed scan (a retention run moved the start, an I/O error) is tried again next time.
      table.catch(() => {
        if (this.tables.get(log) === table) this.tables.delete(log)
      })
    }
    return table
  }

  /** Forgets a partition's table: after a suffix truncation the next use rebuilds it from the log. */
  drop(log: PartitionLog): void {
    this.tables.delete(log)
  }
}

function buildTable(log: PartitionLog): Promise<ProducerStateTable> {
  const bases = log.segmentBaseOffsets
  const scanFrom = bases[Math.max(0, bases.length - producerStateScanSegments)] ?? 0
  const startOffset = Math.max(log.logStartOffset, scanFrom)
  return ProducerStateTable.rebuild(
    (offset, maxBytes) => log.read(offset, maxBytes),
    startOffset,
    log.logEndOffset,
  )
}
