// Every file operation the storage engine makes, behind one interface: the engine stays testable
// against injected faults (a full disk, a failing fsync) without mocking node:fs globally.
import * as fs from 'node:fs'
import { promisify } from 'node:util'
import { type FileLock, lockFile } from './directory-lock.js'

export interface OpenOptions {
  /** Create the file when it does not exist; without it a missing file rejects with ENOENT. */
  readonly create?: boolean
}

export interface FileIo {
  /** Opens for reading and writing. Errors: ENOENT for a missing file unless `create` is set. */
  open(path: string, options?: OpenOptions): Promise<number>
  close(fd: number): Promise<void>
  size(fd: number): Promise<number>
  /** Writes all buffers at `position`; rejects if any byte could not be written. */
  writev(fd: number, buffers: readonly Buffer[], position: number): Promise<void>
  /**
   * Reads up to `length` bytes at `position` into `target` (at least `length` bytes; a reused
   * buffer) or else a new buffer; the result is shorter only at end of file.
   */
  read(fd: number, position: number, length: number, target?: Buffer): Promise<Buffer>
  datasync(fd: number): Promise<void>
  truncate(fd: number, length: number): Promise<void>
  readFile(path: string): Promise<Buffer>
  /** Writes a whole file durably: temp file, fsync, rename over `path`, fsync the directory. */
  writeFileAtomic(path: string, data: Buffer): Promise<void>
  readdir(path: string): Promise<string[]>
  mkdir(path: string): Promise<void>
  unlink(path: string): Promise<void>
  /**
   * Moves `from` over `to` (replacing it) in one step; fds open on the old `to` keep reading the
   * old file. Pending until the directory is synced.
   */
  rename(from: string, to: string): Promise<void>
  rmdir(path: string): Promise<void>
  exists(path: string): Promise<boolean>
  /** Makes creations, renames and deletions inside the directory durable. */
  syncDirectory(path: string): Promise<void>
  /**
   * Takes the exclusive lock file at `path` until released; a holder that died releases it.
   * Errors: DATA_DIRECTORY_LOCKED naming the holder.
   */
  lock(path: string): Promise<FileLock>
}

const openAsync = promisify(fs.open)
const closeAsync = promisify(fs.close)
const fstatAsync = promisify(fs.fstat)
const writevAsync = promisify(fs.writev)
const readAsync = promisify(fs.read)
const fdatasyncAsync = promisify(fs.fdatasync)
const fsyncAsync = promisify(fs.fsync)
const ftruncateAsync = promisify(fs.ftruncate)

async function writeAll(fd: number, buffers: readonly Buffer[], position: number): Promise<void> {
  let pending = buffers.filter((buffer) => buffer.length > 0)
  while (pending.length > 0) {
    // writev may write fewer bytes than asked (signals, quotas): continue from where it stopped.
    let written = (await writevAsync(fd, pending as Buffer[], position)).bytesWritten
    if (written === 0) throw Object.assign(new Error('writev wrote no bytes'), { code: 'EIO' })
    position += written
    while (pending.length > 0 && written >= pending[0]!.length) written -= pending.shift()!.length
    if (written > 0) pending = [pending[0]!.subarray(written), ...pending.slice(1)]
  }
}

async function readAt(fd: number, position: number, length: number, target?: Buffer): Promise<Buffer> {
  const buffer = target ?? Buffer.allocUnsafe(length)
  let filled = 0
  while (filled < length) {
    const { bytesRead } = await readAsync(fd, buffer, filled, length - filled, position + filled)
    if (bytesRead === 0) break
    filled += bytesRead
  }
  return filled === length ? buffer : buffer.subarray(0, filled)
}

async function syncDirectory(path: string): Promise<void> {
  const fd = await openAsync(path, 'r')
  try {
    await fsyncAsync(fd)
  } finally {
    await closeAsync(fd)
  }
}

export const nodeFileIo: FileIo = {
  open: (path, options = {}) =>
    openAsync(path, options.create ? fs.constants.O_RDWR | fs.constants.O_CREAT : fs.constants.O_RDWR),
  close: (fd) => closeAsync(fd),
  size: async (fd) => (await fstatAsync(fd)).size,
  writev: writeAll,
  read: readAt,
  datasync: (fd) => fdatasyncAsync(fd),
  truncate: (fd, length) => ftruncateAsync(fd, length),
  readFile: (path) => fs.promises.readFile(path),
  async writeFileAtomic(path, data) {
    const temporary = `${path}.tmp`
    const fd = await openAsync(temporary, 'w')
    try {
      await writeAll(fd, [data], 0)
      await fsyncAsync(fd)
    } finally {
      await closeAsync(fd)
    }
    await fs.promises.rename(temporary, path)
    await syncDirectory(path.slice(0, Math.max(path.lastIndexOf('/'), 1)))
  },
  readdir: (path) => fs.promises.readdir(path),
  mkdir: async (path) => {
    await fs.promises.mkdir(path, { recursive: true })
  },
  unlink: (path) => fs.promises.unlink(path),
  rename: (from, to) => fs.promises.rename(from, to),
  rmdir: (path) => fs.promises.rm(path, { recursive: true, force: true }),
  exists: async (path) => {
    try {
      await fs.promises.access(path)
      return true
    } catch {
      return false
    }
  },
  syncDirectory,
  lock: (path) => lockFile(path),
}
