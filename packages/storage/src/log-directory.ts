// The files around the segments of one partition directory: the marker that says "this is a Weir
// log" (and holds the log start offset), the clean-shutdown flag, the recovery point, and leftovers
// of interrupted work.
import { join } from 'node:path'
import { WeirError } from '@weir/protocol'
import type { FileIo } from './file-io.js'
import { indexSuffix, logSuffix, parseSegmentFileName, timeIndexSuffix } from './segment.js'

export const logMetaFileName = 'weir-log.json'
const cleanShutdownFileName = 'clean-shutdown'
const recoveryPointFileName = 'recovery-point'
const logFormat = 'weir-partition-log'
const logFormatVersion = 1

export interface LogMeta {
  readonly format: typeof logFormat
  readonly version: typeof logFormatVersion
  readonly logStartOffset: number
}

export interface LogDirectoryState {
  readonly meta: LogMeta
  /** True when the last close finished: every file, index included, was flushed. */
  readonly clean: boolean
  /**
   * From the clean-shutdown marker: base offset to size of each segment known intact (read back
   * with CRC checks, or written by the process, since it last changed). Empty after a crash.
   */
  readonly knownClean: ReadonlyMap<number, number>
  /** Base offsets of the segment files, ascending. */
  readonly segmentBaseOffsets: readonly number[]
  /**
   * Every segment that ends at or below this offset was flushed (data, directory entry, index
   * files); later ones may have lost bytes in a crash. Undefined for a log written before
   * recovery points existed, whose closed segments were all fsynced when they rolled.
   */
  readonly recoveryPoint: number | undefined
}

export function newLogMeta(logStartOffset: number): LogMeta {
  return { format: logFormat, version: logFormatVersion, logStartOffset }
}

export async function writeLogMeta(io: FileIo, directory: string, meta: LogMeta): Promise<void> {
  await io.writeFileAtomic(join(directory, logMetaFileName), Buffer.from(`${JSON.stringify(meta)}\n`))
}

/**
 * Opens or initialises a partition directory. A missing or empty directory becomes a new log; a
 * directory with files but no Weir marker is refused, so a wrong `dataDir` never gets written to.
 */
export async function prepareLogDirectory(io: FileIo, directory: string): Promise<LogDirectoryState> {
  const names = (await io.exists(directory)) ? await io.readdir(directory) : undefined
  if (names === undefined || names.length === 0) {
    await io.mkdir(directory)
    const meta = newLogMeta(0)
    await writeLogMeta(io, directory, meta)
    return { meta, clean: true, knownClean: new Map(), segmentBaseOffsets: [], recoveryPoint: undefined }
  }
  if (!names.includes(logMetaFileName)) {
    throw new WeirError(
      'NOT_A_WEIR_LOG',
      `${directory} holds ${names.length} entries (${names.slice(0, 3).join(', ')}) but no ${logMetaFileName}`,
    )
  }
  const meta = parseMeta(directory, await io.readFile(join(directory, logMetaFileName)))
  for (const name of names) {
    // A .tmp file is an atomic write that never reached its rename: its target is intact.
    if (name.endsWith('.tmp')) await io.unlink(join(directory, name))
    // A .cleaned file is a clean that never reached its rename: the segment it was for is intact.
    else if (name.endsWith('.cleaned')) await io.unlink(join(directory, name))
  }
  const segmentBaseOffsets = names
    .map((name) => parseSegmentFileName(name, logSuffix))
    .filter((base): base is number => base !== undefined)
    .sort((left, right) => left - right)
  await removeOrphanIndexes(io, directory, names, new Set(segmentBaseOffsets))
  const recoveryPoint = names.includes(recoveryPointFileName)
    ? await readRecoveryPoint(io, directory)
    : undefined
  const clean = names.includes(cleanShutdownFileName)
  const knownClean = clean ? await readKnownClean(io, directory) : new Map<number, number>()
  return { meta, clean, knownClean, segmentBaseOffsets, recoveryPoint }
}

function parseMeta(directory: string, bytes: Buffer): LogMeta {
  let parsed: Partial<LogMeta> | undefined
  try {
    parsed = JSON.parse(bytes.toString('utf8')) as Partial<LogMeta>
  } catch (error) {
    throw new WeirError('NOT_A_WEIR_LOG', `${join(directory, logMetaFileName)} is not valid JSON`, {
      cause: error,
    })
  }
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    parsed.format !== logFormat ||
    !Number.isSafeInteger(parsed.logStartOffset) ||
    (parsed.logStartOffset as number) < 0
  ) {
    throw new WeirError(
      'NOT_A_WEIR_LOG',
      `${join(directory, logMetaFileName)} does not describe a ${logFormat} (format, version, logStartOffset from 0 to 2^53-1); restore the partition from a replica or a backup`,
    )
  }
  if (parsed.version !== logFormatVersion) {
    throw new WeirError(
      'UNSUPPORTED_VERSION',
      `${directory} uses log format version ${parsed.version}; this build reads version ${logFormatVersion}`,
    )
  }
  return parsed as LogMeta
}

async function removeOrphanIndexes(io: FileIo, directory: string, names: string[], bases: Set<number>) {
  for (const name of names) {
    const base = parseSegmentFileName(name, indexSuffix) ?? parseSegmentFileName(name, timeIndexSuffix)
    if (base !== undefined && !bases.has(base)) await io.unlink(join(directory, name))
  }
}

/**
 * Persists the recovery point: written after a rolled segment is flushed, lowered before a suffix
 * truncation rewrites a flushed segment. Atomic, so a crash leaves the old or the new value.
 */
export async function writeRecoveryPoint(io: FileIo, directory: string, offset: number): Promise<void> {
  const body = `${JSON.stringify({ recoveryPoint: offset })}\n`
  await io.writeFileAtomic(join(directory, recoveryPointFileName), Buffer.from(body))
}

async function readRecoveryPoint(io: FileIo, directory: string): Promise<number> {
  const path = join(directory, recoveryPointFileName)
  const text = (await io.readFile(path)).toString('utf8')
  let parsed: { recoveryPoint?: unknown } | undefined
  try {
    parsed = JSON.parse(text) as { recoveryPoint?: unknown }
  } catch {
    parsed = undefined
  }
  const offset = parsed?.recoveryPoint
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) {
    // Guessing would either skip checks that find a torn tail or cut data that was durable.
    throw new WeirError('LOG_CORRUPTED', `${path} holds ${JSON.stringify(text.slice(0, 60))}, not an offset`)
  }
  return offset
}

export interface KnownCleanSegment {
  readonly baseOffset: number
  readonly sizeBytes: number
}

/**
 * Marks the close clean and lists the segments known intact. A segment counts only at exactly this
 * size: one that changed since (grew, or was cut) is CRC-checked at the next open.
 */
export async function markCleanShutdown(
  io: FileIo,
  directory: string,
  segments: readonly KnownCleanSegment[],
): Promise<void> {
  const body = `${JSON.stringify({ segments })}\n`
  await io.writeFileAtomic(join(directory, cleanShutdownFileName), Buffer.from(body))
}

/**
 * The segments the marker lists. A marker from before it listed any (empty), or one that does not
 * parse, lists none: every segment is then checked, which costs time, never data.
 */
async function readKnownClean(io: FileIo, directory: string): Promise<Map<number, number>> {
  const known = new Map<number, number>()
  let parsed: unknown
  try {
    parsed = JSON.parse((await io.readFile(join(directory, cleanShutdownFileName))).toString('utf8'))
  } catch {
    return known
  }
  const segments = (parsed as { segments?: unknown } | null)?.segments
  if (!Array.isArray(segments)) return known
  for (const segment of segments as Partial<KnownCleanSegment>[]) {
    const { baseOffset, sizeBytes } = segment ?? {}
    if (Number.isSafeInteger(baseOffset) && Number.isSafeInteger(sizeBytes))
      known.set(baseOffset as number, sizeBytes as number)
  }
  return known
}

export async function clearCleanShutdown(io: FileIo, directory: string): Promise<void> {
  const path = join(directory, cleanShutdownFileName)
  if (await io.exists(path)) {
    await io.unlink(path)
    await io.syncDirectory(directory)
  }
}
