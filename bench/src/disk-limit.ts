// The machine's raw sequential write bandwidth with node:fs and no log in the way: the ceiling
// for any fsync policy, since every byte the log takes must reach the disk eventually.
import { randomBytes } from 'node:crypto'
import { type FileHandle, open } from 'node:fs/promises'
import { join } from 'node:path'
import { megabyteBytes, type Progress, secondsSince } from './measurement.js'
import { withTemporaryDirectory } from './temporary-directory.js'

export interface DiskWriteSpec {
  readonly blockBytes: number
  readonly blockCount: number
  /**
   * false: write everything, fdatasync once at the end (the limit for fsync 'never').
   * true: fdatasync after every block (one writer that waits for the disk each time).
   */
  readonly syncEachBlock: boolean
}

export interface DiskWriteMeasurement {
  readonly bytes: number
  readonly seconds: number
  readonly megabytesPerSecond: number
}

// Distinct blocks so a deduplicating virtual disk cannot skip the writes.
const distinctBlocksMax = 16

export async function measureDiskWrite(
  spec: DiskWriteSpec,
  progress?: Progress,
): Promise<DiskWriteMeasurement> {
  const blocks = Array.from({ length: Math.min(distinctBlocksMax, spec.blockCount) }, () =>
    randomBytes(spec.blockBytes),
  )
  return withTemporaryDirectory(async (directory) => {
    const file = await open(join(directory, 'disk-limit.bin'), 'w')
    try {
      const started = performance.now()
      for (let index = 0; index < spec.blockCount; index++) {
        await writeAll(file, blocks[index % blocks.length]!, index * spec.blockBytes)
        if (spec.syncEachBlock) await file.datasync()
        progress?.(index + 1, spec.blockCount)
      }
      await file.datasync()
      const seconds = secondsSince(started)
      const bytes = spec.blockBytes * spec.blockCount
      return { bytes, seconds, megabytesPerSecond: bytes / megabyteBytes / seconds }
    } finally {
      await file.close()
    }
  })
}

async function writeAll(file: FileHandle, block: Buffer, position: number): Promise<void> {
  let written = 0
  while (written < block.length) {
    // A positional write may be short (signals, quotas): continue where it stopped.
    const { bytesWritten } = await file.write(block, written, block.length - written, position + written)
    if (bytesWritten === 0) throw new Error(`write at ${position + written} wrote no bytes`)
    written += bytesWritten
  }
}
