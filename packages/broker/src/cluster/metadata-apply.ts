// Applying a committed controller entry to the image without ever throwing: a record that cannot
// be read or that the checks refuse is skipped and reported, not applied. Every broker applies the
// same entries in the same order with the same checks, so every broker skips the same records and
// the images stay identical; and a poisoned log (written before these checks, or by a forged
// proposal) can never stop a broker from starting.
import { decodeBody, decodeRecordBatch, isWeirError, type WeirError } from '@weir/protocol'
import { type Entry, EntryKind } from '@weir/raft'
import type { ClusterImage, MetadataRecord } from './cluster-image.js'
import { checkAgainstImage, checkMetadataRecord } from './metadata-record-check.js'
import { asBuffer } from './raft-batches.js'

export interface SkippedRecord {
  /** The record's position in its entry's batch; -1 when the batch itself could not be read. */
  readonly position: number
  /** The record's type and topic name, when it had them: enough to find it, never its whole body. */
  readonly summary: string
  readonly error: WeirError
}

export interface AppliedEntry {
  readonly applied: readonly MetadataRecord[]
  readonly skipped: readonly SkippedRecord[]
}

const nothing: AppliedEntry = { applied: [], skipped: [] }

/** Applies each record of a committed entry that passes its checks, in order (no-op and config entries hold none). */
export function applyCommittedEntry(image: ClusterImage, entry: Entry): AppliedEntry {
  if (entry.kind !== EntryKind.normal) return nothing
  let values: (Buffer | null)[]
  try {
    values = decodeRecordBatch(asBuffer(entry.data)).records.map((record) => record.value)
  } catch (error) {
    if (!isWeirError(error)) throw error
    return { applied: [], skipped: [{ position: -1, summary: 'an unreadable batch', error }] }
  }
  const applied: MetadataRecord[] = []
  const skipped: SkippedRecord[] = []
  for (const [position, value] of values.entries()) {
    let decoded: unknown
    try {
      decoded = decodeBody(value ?? Buffer.alloc(0), 'metadata record')
      const record = checkMetadataRecord(decoded)
      checkAgainstImage(record, image)
      image.apply(record)
      applied.push(record)
    } catch (error) {
      if (!isWeirError(error)) throw error
      skipped.push({ position, summary: summaryOf(decoded), error })
    }
  }
  return { applied, skipped }
}

/** A name is at most 249 characters when valid; an invalid one may be any size. */
const fieldCharactersMax = 250

function summaryOf(value: unknown): string {
  const fields = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>
  return `${describe(fields.type)} of topic ${describe(fields.name)}`
}

function describe(field: unknown): string {
  return typeof field === 'string' ? JSON.stringify(field.slice(0, fieldCharactersMax)) : `(${typeof field})`
}
