// Disk faults on a stopped broker's data directory: a flipped byte in a closed segment (bit rot),
// and the tail of every open segment cut off (the page cache lost on power failure, which SIGKILL
// alone does not do: the OS keeps what the process wrote).
import { readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Random } from './prng.js'

function segments(directory: string): string[] {
  return readdirSync(directory)
    .filter((name) => /^\d{20}\.log$/.test(name))
    .sort()
}

/**
 * Flips one byte in the middle half of a closed (non-last) segment of the partition in `directory`;
 * returns what it did, or undefined when the partition has one segment only.
 */
export function flipByteInClosedSegment(directory: string, random: Random): string | undefined {
  const closed = segments(directory).slice(0, -1)
  if (closed.length === 0) return undefined
  const segment = random.pick(closed)
  const path = join(directory, segment)
  const bytes = readFileSync(path)
  if (bytes.length < 4) return undefined
  const position = random.integer(Math.floor(bytes.length / 4), Math.floor((bytes.length * 3) / 4))
  bytes[position] = bytes[position]! ^ 0xff
  writeFileSync(path, bytes)
  return `${segment} byte ${position} of ${bytes.length}`
}

/** Cuts up to `maxBytes` (a random amount) off the end of the partition's last segment. */
export function loseUnsyncedTail(directory: string, random: Random, maxBytes: number): number {
  const last = segments(directory).at(-1)
  if (last === undefined) return 0
  const path = join(directory, last)
  const size = statSync(path).size
  const lostBytes = Math.min(size, random.integer(0, maxBytes))
  truncateSync(path, size - lostBytes)
  return lostBytes
}
