// Hands out producer ids unique across the cluster without asking anyone: `brokerId * 2^32 + n`,
// where n counts up on this broker. n is reserved on disk in blocks: before handing out an id of a
// new block the broker durably writes the block's end to <dataDir>/producer-ids.json (write a
// temporary file, fsync, rename, fsync the directory), and on start it continues from the stored
// end, so a restart (even a crash) skips the rest of a block but never reuses an id.
import { join } from 'node:path'
import { WeirError } from '@weir/protocol'
import { type FileIo, nodeFileIo } from '@weir/storage'

export const producerIdsFileName = 'producer-ids.json'
/** Ids reserved by one durable write. */
export const producerIdBlockSize = 1000
/** n stays below 2^32 so ids of different brokers never meet. */
const perBrokerMax = 2 ** 32
/** brokerId * 2^32 + n must stay an exact JS number (below 2^53). */
const brokerIdMax = 2 ** 21 - 1

interface StoredIds {
  readonly version: 1
  /** Every n below this may have been handed out. */
  readonly reservedUntil: number
}

export class ProducerIdAllocator {
  private next: number
  private reservedUntil: number
  private reserving: Promise<void> | undefined

  private constructor(
    private readonly dataDir: string,
    readonly brokerId: number,
    start: number,
    private readonly files: FileIo,
  ) {
    this.next = start
    this.reservedUntil = start
  }

  /** Reads the stored reservation. Errors: STORAGE_ERROR. */
  static async open(
    dataDir: string,
    brokerId: number,
    files: FileIo = nodeFileIo,
  ): Promise<ProducerIdAllocator> {
    return new ProducerIdAllocator(dataDir, brokerId, await readReservation(files, dataDir), files)
  }

  /**
   * A producer id no broker of the cluster has handed out before. Errors: INVALID_CONFIG (a brokerId
   * too large to leave room for ids), STORAGE_ERROR.
   */
  async allocate(): Promise<number> {
    if (!Number.isInteger(this.brokerId) || this.brokerId < 0 || this.brokerId > brokerIdMax) {
      throw new WeirError(
        'INVALID_CONFIG',
        `idempotent producers need a brokerId from 0 to ${brokerIdMax} (ids are brokerId * 2^32 + n), this broker has ${this.brokerId}`,
      )
    }
    while (this.next >= this.reservedUntil) {
      this.reserving ??= this.reserveBlock().finally(() => {
        this.reserving = undefined
      })
      await this.reserving
    }
    const n = this.next++
    return this.brokerId * perBrokerMax + n
  }

  private async reserveBlock(): Promise<void> {
    const until = this.reservedUntil + producerIdBlockSize
    if (until > perBrokerMax) {
      throw new WeirError('STORAGE_ERROR', `broker ${this.brokerId} has handed out all 2^32 producer ids`)
    }
    await writeReservation(this.files, this.dataDir, { version: 1, reservedUntil: until })
    this.reservedUntil = until
  }
}

async function readReservation(files: FileIo, dataDir: string): Promise<number> {
  const path = join(dataDir, producerIdsFileName)
  let text: string
  try {
    if (!(await files.exists(path))) return 0
    text = (await files.readFile(path)).toString('utf8')
  } catch (error) {
    throw new WeirError('STORAGE_ERROR', `reading ${path}`, { cause: error })
  }
  let stored: Partial<StoredIds>
  try {
    stored = JSON.parse(text) as Partial<StoredIds>
  } catch (error) {
    throw new WeirError(
      'STORAGE_ERROR',
      `${path} is not JSON; restore it or remove it only if this broker never handed out ids`,
      { cause: error },
    )
  }
  // JSON `null` parses too: optional chaining keeps that a typed error below, not a TypeError.
  const until = stored?.reservedUntil
  if (typeof until !== 'number' || !Number.isInteger(until) || until < 0 || until > perBrokerMax) {
    throw new WeirError('STORAGE_ERROR', `${path} has no valid reservedUntil`)
  }
  return until
}

async function writeReservation(files: FileIo, dataDir: string, stored: StoredIds): Promise<void> {
  const path = join(dataDir, producerIdsFileName)
  try {
    await files.writeFileAtomic(path, Buffer.from(`${JSON.stringify(stored)}\n`))
  } catch (error) {
    throw new WeirError('STORAGE_ERROR', `writing ${path}`, { cause: error })
  }
}

/** Opens the allocator on first use (no disk read at start-up); a failed open is tried again next call. */
export function lazyProducerIds(
  dataDir: string,
  brokerId: number,
  files: FileIo = nodeFileIo,
): () => Promise<ProducerIdAllocator> {
  let opening: Promise<ProducerIdAllocator> | undefined
  return () => {
    if (opening === undefined) {
      const attempt = ProducerIdAllocator.open(dataDir, brokerId, files)
      opening = attempt
      attempt.catch(() => {
        if (opening === attempt) opening = undefined
      })
    }
    return opening
  }
}
