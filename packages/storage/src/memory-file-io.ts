// A disk in memory, with the crash model of a real one, for tests and the seeded simulation. Each
// file has durable bytes and pending ones (written, not yet fsynced); each directory has durable
// entries and pending ones (created, unlinked, renamed, not yet synced). crash() keeps only what is
// durable, optionally with a random prefix of each file's un-fsynced tail (a torn write), and
// closes every fd. Every operation takes effect when called and answers with a settled promise: no
// timers, no randomness but the one crash() is handed, so a seeded run replays exactly.
// One instance is one disk; a simulated cluster gives each broker its own.
import { posix } from 'node:path'
import { WeirError } from '@weir/protocol'
import type { FileLock } from './directory-lock.js'
import type { FileIo, OpenOptions } from './file-io.js'

/** The FileIo operations a fault can be injected into. */
export type FileOperation = keyof FileIo

/** What a fault hook may answer: an errno code ('ENOSPC', 'EIO', ...) or the error itself. */
export type InjectedFault = string | Error

/**
 * Decides whether one operation fails: called before every operation with its name and path (an
 * fd's path as it was opened); answering a fault makes the operation reject with it, unapplied.
 */
export type FaultHook = (operation: FileOperation, path: string) => InjectedFault | undefined

export interface FailNextOptions {
  /** Only a call on this path (an fd's path as opened) fails; default any. */
  readonly path?: string
  /** For writev: this many bytes land before the failure (a short write on a full disk). */
  readonly writtenBytes?: number
}

interface FileNode {
  readonly kind: 'file'
  /** Current bytes in [0, size); capacity grows by doubling. */
  content: Buffer
  size: number
  /** Bytes below this are durable as they are in `content`, unless `durableCopy` is set. */
  durableSize: number
  /**
   * The durable bytes, once a change below `durableSize` (an overwrite, a shrinking truncate)
   * made `content` differ from them; undefined while every change since the last fsync was past
   * `durableSize` (appends), which is the common case and costs no copy.
   */
  durableCopy: Buffer | undefined
}

interface DirectoryNode {
  readonly kind: 'directory'
  entries: Map<string, FileNode | DirectoryNode>
  durableEntries: Map<string, FileNode | DirectoryNode>
}

type Node = FileNode | DirectoryNode

interface OpenFile {
  readonly node: FileNode
  readonly path: string
}

interface PendingFailure {
  readonly operation: FileOperation
  readonly fault: InjectedFault
  readonly path: string | undefined
  readonly writtenBytes: number
}

const errnoMessages: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EEXIST: 'file already exists',
  EISDIR: 'illegal operation on a directory',
  ENOTDIR: 'not a directory',
  ENOTEMPTY: 'directory not empty',
  EBADF: 'bad file descriptor',
  EIO: 'i/o error',
  ENOSPC: 'no space left on device',
  EINVAL: 'invalid argument',
}

/** An error shaped like Node's fs errors (`code`, `syscall`, `path`), which storageError maps. */
function fsError(code: string, syscall: string, path: string): NodeJS.ErrnoException {
  const message = `${code}: ${errnoMessages[code] ?? 'injected fault'}, ${syscall} '${path}'`
  return Object.assign(new Error(message), { code, syscall, path })
}

function newFile(): FileNode {
  return { kind: 'file', content: Buffer.alloc(0), size: 0, durableSize: 0, durableCopy: undefined }
}

function newDirectory(): DirectoryNode {
  return { kind: 'directory', entries: new Map(), durableEntries: new Map() }
}

function durableBytes(file: FileNode): Buffer {
  return file.durableCopy ?? file.content.subarray(0, file.durableSize)
}

/** Before `content` changes below `durableSize`, the durable bytes get a copy of their own. */
function keepDurableBytes(file: FileNode, changeStart: number): void {
  if (file.durableCopy === undefined && changeStart < file.durableSize) {
    file.durableCopy = Buffer.from(file.content.subarray(0, file.durableSize))
  }
}

function ensureCapacity(file: FileNode, size: number): void {
  if (size <= file.content.length) return
  const grown = Buffer.alloc(Math.max(size, file.content.length * 2, 4096))
  file.content.copy(grown, 0, 0, file.size)
  file.content = grown
}

function writeAt(file: FileNode, data: Buffer, position: number): void {
  if (data.length === 0) return
  keepDurableBytes(file, position)
  const end = position + data.length
  ensureCapacity(file, end)
  // Past the end of file the gap reads as zeros (a sparse hole).
  if (position > file.size) file.content.fill(0, file.size, position)
  data.copy(file.content, position)
  file.size = Math.max(file.size, end)
}

function resize(file: FileNode, length: number): void {
  keepDurableBytes(file, length)
  if (length > file.size) {
    ensureCapacity(file, length)
    file.content.fill(0, file.size, length)
  }
  file.size = length
}

export interface MemoryFileIoOptions {
  /**
   * Microtask turns between an operation's call and its effect, 0 to 100 (default 0: the effect
   * happens at the call). Above 0, operations are in flight for a while, and a crash in between
   * loses them (the caller gets EIO), as a real disk loses requests in its queue. A function
   * (seeded, for a simulation) gives each call its own latency, so concurrent operations
   * complete out of call order, as they do on a real disk.
   */
  readonly operationTurns?: number | ((operation: FileOperation) => number)
}

const operationTurnsMax = 100

export class MemoryFileIo implements FileIo {
  private readonly operationTurns: (operation: FileOperation) => number
  private root: DirectoryNode = newDirectory()
  private readonly fds = new Map<number, OpenFile>()
  /** fds are never reused, not even across crashes: a stale fd can only be EBADF. */
  private nextFd = 3
  private generation = 0
  private failures: PendingFailure[] = []
  private faultHook: FaultHook | undefined
  private readonly inFlightPossible: boolean
  /** Lock path → the generation that took it: a crash ends every process, and so its locks. */
  private readonly locks = new Map<string, number>()

  constructor(options: MemoryFileIoOptions = {}) {
    const turns = options.operationTurns ?? 0
    const checked = (value: number): number => {
      if (!Number.isInteger(value) || value < 0 || value > operationTurnsMax) {
        throw new RangeError(`operationTurns must be an integer from 0 to ${operationTurnsMax}, got ${value}`)
      }
      return value
    }
    this.operationTurns =
      typeof turns === 'number'
        ? (
            (fixed) => () =>
              fixed
          )(checked(turns))
        : (operation) => checked(turns(operation))
    this.inFlightPossible = typeof turns !== 'number' || turns > 0
  }

  /**
   * Drops everything not durable, as a power loss would: each directory gets back its synced
   * entries, each file its fsynced bytes; every fd closes. With `random`, each file whose pending
   * change is an append past its durable bytes keeps a random prefix of that tail (0 to all of
   * it), since a disk may have written part of it; a pending change inside the durable bytes (an
   * overwrite, a shrinking truncate) is lost whole. Without `random`, every pending byte is lost.
   * FileIo handles from attach() stop working.
   */
  crash(random?: () => number): void {
    this.generation++
    this.fds.clear()
    const visited = new Set<Node>()
    const restore = (directory: DirectoryNode): void => {
      directory.entries = new Map(directory.durableEntries)
      for (const [, node] of [...directory.entries].sort(([left], [right]) => compare(left, right))) {
        // One node can be reachable under two names (a rename synced on one side only).
        if (visited.has(node)) continue
        visited.add(node)
        if (node.kind === 'directory') restore(node)
        else restoreFile(node, random)
      }
    }
    restore(this.root)
  }

  /**
   * A FileIo for one incarnation of the process using this disk: after the next crash() every call
   * through it rejects with EIO, so code of the crashed process still in flight cannot touch the
   * disk its restarted successor uses. The instance itself keeps working across crashes.
   */
  attach(): FileIo {
    const generation = this.generation
    const live = <T>(operation: FileOperation, run: () => Promise<T>): Promise<T> =>
      this.generation === generation
        ? run()
        : Promise.reject(fsError('EIO', operation, 'the disk of a crashed process'))
    return {
      open: (path, options) => live('open', () => this.open(path, options)),
      close: (fd) => live('close', () => this.close(fd)),
      size: (fd) => live('size', () => this.size(fd)),
      writev: (fd, buffers, position) => live('writev', () => this.writev(fd, buffers, position)),
      read: (fd, position, length, target) => live('read', () => this.read(fd, position, length, target)),
      datasync: (fd) => live('datasync', () => this.datasync(fd)),
      truncate: (fd, length) => live('truncate', () => this.truncate(fd, length)),
      readFile: (path) => live('readFile', () => this.readFile(path)),
      writeFileAtomic: (path, data) => live('writeFileAtomic', () => this.writeFileAtomic(path, data)),
      readdir: (path) => live('readdir', () => this.readdir(path)),
      mkdir: (path) => live('mkdir', () => this.mkdir(path)),
      unlink: (path) => live('unlink', () => this.unlink(path)),
      rename: (from, to) => live('rename', () => this.rename(from, to)),
      rmdir: (path) => live('rmdir', () => this.rmdir(path)),
      exists: (path) => live('exists', () => this.exists(path)),
      syncDirectory: (path) => live('syncDirectory', () => this.syncDirectory(path)),
      lock: (path) => live('lock', () => this.lock(path)),
    }
  }

  /** The next call of `operation` (on `options.path`, if given) rejects with `fault`, unapplied. */
  failNext(operation: FileOperation, fault: InjectedFault = 'EIO', options: FailNextOptions = {}): void {
    this.failures.push({ operation, fault, path: options.path, writtenBytes: options.writtenBytes ?? 0 })
  }

  /** Consulted before every operation (after failNext's); undefined removes it. */
  injectFaults(hook: FaultHook | undefined): void {
    this.faultHook = hook
  }

  /** Paths of every open fd (to check a log closes what it opens). */
  openPaths(): string[] {
    return [...this.fds.values()].map((file) => file.path)
  }

  async open(path: string, options: OpenOptions = {}): Promise<number> {
    if (this.inFlightPossible) await this.inFlight('open')
    const at = normalize(path)
    this.checkFault('open', at)
    const { parent, name } = this.parentOf(at, 'open')
    let node = parent.entries.get(name)
    if (node === undefined) {
      if (!options.create) throw fsError('ENOENT', 'open', at)
      node = newFile()
      parent.entries.set(name, node)
    }
    if (node.kind === 'directory') throw fsError('EISDIR', 'open', at)
    const fd = this.nextFd++
    this.fds.set(fd, { node, path: at })
    return fd
  }

  async close(fd: number): Promise<void> {
    if (this.inFlightPossible) await this.inFlight('close')
    const file = this.file(fd, 'close')
    this.checkFault('close', file.path)
    this.fds.delete(fd)
  }

  async size(fd: number): Promise<number> {
    if (this.inFlightPossible) await this.inFlight('size')
    const file = this.file(fd, 'fstat')
    this.checkFault('size', file.path)
    return file.node.size
  }

  async writev(fd: number, buffers: readonly Buffer[], position: number): Promise<void> {
    if (this.inFlightPossible) await this.inFlight('writev')
    const file = this.file(fd, 'writev')
    const data = buffers.length === 1 ? buffers[0]! : Buffer.concat(buffers)
    const failure = this.takeFailure('writev', file.path)
    if (failure) {
      writeAt(file.node, data.subarray(0, Math.min(failure.writtenBytes, data.length)), position)
      throw toError(failure.fault, 'writev', file.path)
    }
    this.checkHook('writev', file.path)
    writeAt(file.node, data, position)
  }

  async read(fd: number, position: number, length: number, target?: Buffer): Promise<Buffer> {
    if (this.inFlightPossible) await this.inFlight('read')
    const file = this.file(fd, 'read')
    this.checkFault('read', file.path)
    const end = Math.min(file.node.size, position + length)
    const bytes = file.node.content.subarray(Math.min(position, end), end)
    if (target === undefined) return Buffer.from(bytes)
    bytes.copy(target)
    return target.subarray(0, bytes.length)
  }

  async datasync(fd: number): Promise<void> {
    if (this.inFlightPossible) await this.inFlight('datasync')
    const file = this.file(fd, 'fdatasync')
    this.checkFault('datasync', file.path)
    file.node.durableSize = file.node.size
    file.node.durableCopy = undefined
  }

  async truncate(fd: number, length: number): Promise<void> {
    if (this.inFlightPossible) await this.inFlight('truncate')
    const file = this.file(fd, 'ftruncate')
    this.checkFault('truncate', file.path)
    if (!Number.isInteger(length) || length < 0) throw fsError('EINVAL', 'ftruncate', file.path)
    resize(file.node, length)
  }

  /**
   * A lock lives in memory, not as a file: on a real disk a dead holder's lock file is stale and
   * taken over, which this models by ending every lock at the next crash(). Errors:
   * DATA_DIRECTORY_LOCKED while an earlier lock on `path` since the last crash is not released.
   */
  async lock(path: string): Promise<FileLock> {
    const at = normalize(path)
    this.checkFault('lock', at)
    if (this.locks.get(at) === this.generation) {
      throw new WeirError('DATA_DIRECTORY_LOCKED', `${at} is held by another process on this disk`)
    }
    const generation = this.generation
    this.locks.set(at, generation)
    return {
      release: async () => {
        if (this.locks.get(at) === generation) this.locks.delete(at)
      },
    }
  }

  async readFile(path: string): Promise<Buffer> {
    if (this.inFlightPossible) await this.inFlight('readFile')
    const at = normalize(path)
    this.checkFault('readFile', at)
    const node = this.lookup(at, 'open')
    if (node.kind === 'directory') throw fsError('EISDIR', 'read', at)
    return Buffer.from(node.content.subarray(0, node.size))
  }

  /**
   * As nodeFileIo does it (temp file, fsync, rename, fsync the directory), in one step: the new
   * contents and every pending entry of the directory are durable when it resolves.
   */
  async writeFileAtomic(path: string, data: Buffer): Promise<void> {
    if (this.inFlightPossible) await this.inFlight('writeFileAtomic')
    const at = normalize(path)
    this.checkFault('writeFileAtomic', at)
    const { parent, name } = this.parentOf(at, 'open')
    if (parent.entries.get(name)?.kind === 'directory') throw fsError('EISDIR', 'rename', at)
    const file = newFile()
    writeAt(file, data, 0)
    file.durableSize = file.size
    parent.entries.set(name, file)
    parent.durableEntries = new Map(parent.entries)
  }

  async readdir(path: string): Promise<string[]> {
    if (this.inFlightPossible) await this.inFlight('readdir')
    const at = normalize(path)
    this.checkFault('readdir', at)
    const node = this.lookup(at, 'scandir')
    if (node.kind !== 'directory') throw fsError('ENOTDIR', 'scandir', at)
    return [...node.entries.keys()].sort(compare)
  }

  /** mkdir -p: creates missing ancestors too; each new entry is pending until its parent is synced. */
  async mkdir(path: string): Promise<void> {
    if (this.inFlightPossible) await this.inFlight('mkdir')
    const at = normalize(path)
    this.checkFault('mkdir', at)
    let directory = this.root
    for (const name of components(at)) {
      let node = directory.entries.get(name)
      if (node === undefined) {
        node = newDirectory()
        directory.entries.set(name, node)
      }
      if (node.kind !== 'directory') throw fsError('EEXIST', 'mkdir', at)
      directory = node
    }
  }

  async unlink(path: string): Promise<void> {
    if (this.inFlightPossible) await this.inFlight('unlink')
    const at = normalize(path)
    this.checkFault('unlink', at)
    const { parent, name } = this.parentOf(at, 'unlink')
    const node = parent.entries.get(name)
    if (node === undefined) throw fsError('ENOENT', 'unlink', at)
    if (node.kind === 'directory') throw fsError('EISDIR', 'unlink', at)
    parent.entries.delete(name)
  }

  /** Moves a file entry over another; both entries change pending until their directories are synced. */
  async rename(from: string, to: string): Promise<void> {
    if (this.inFlightPossible) await this.inFlight('rename')
    const source = normalize(from)
    const target = normalize(to)
    this.checkFault('rename', source)
    const { parent: sourceParent, name: sourceName } = this.parentOf(source, 'rename')
    const node = sourceParent.entries.get(sourceName)
    if (node === undefined) throw fsError('ENOENT', 'rename', source)
    if (node.kind === 'directory') throw fsError('EISDIR', 'rename', source)
    const { parent: targetParent, name: targetName } = this.parentOf(target, 'rename')
    if (targetParent.entries.get(targetName)?.kind === 'directory') throw fsError('EISDIR', 'rename', target)
    sourceParent.entries.delete(sourceName)
    targetParent.entries.set(targetName, node)
  }

  /**
   * rm -rf: removes the entry (file or directory tree) from its parent, pending until the parent
   * is synced; a crash before that brings the tree back as it durably was. Missing is fine.
   */
  async rmdir(path: string): Promise<void> {
    if (this.inFlightPossible) await this.inFlight('rmdir')
    const at = normalize(path)
    this.checkFault('rmdir', at)
    if (at === '/') throw fsError('EINVAL', 'rm', at)
    const parent = this.find(posix.dirname(at))
    if (parent?.kind === 'directory') parent.entries.delete(posix.basename(at))
  }

  async exists(path: string): Promise<boolean> {
    if (this.inFlightPossible) await this.inFlight('exists')
    const at = normalize(path)
    this.checkFault('exists', at)
    return this.find(at) !== undefined
  }

  async syncDirectory(path: string): Promise<void> {
    if (this.inFlightPossible) await this.inFlight('syncDirectory')
    const at = normalize(path)
    this.checkFault('syncDirectory', at)
    const node = this.lookup(at, 'open')
    if (node.kind !== 'directory') throw fsError('ENOTDIR', 'fsync', at)
    node.durableEntries = new Map(node.entries)
  }

  /** Waits `operationTurns` microtask turns; a crash meanwhile loses the operation. */
  private async inFlight(operation: FileOperation): Promise<void> {
    const generation = this.generation
    const turns = this.operationTurns(operation)
    for (let turn = 0; turn < turns; turn++) await Promise.resolve()
    if (this.generation !== generation) throw fsError('EIO', operation, 'an operation in flight at a crash')
  }

  private file(fd: number, syscall: string): OpenFile {
    const file = this.fds.get(fd)
    if (file === undefined) throw fsError('EBADF', syscall, `fd ${fd}`)
    return file
  }

  private find(path: string): Node | undefined {
    let node: Node = this.root
    for (const name of components(path)) {
      if (node.kind !== 'directory') return undefined
      const next: Node | undefined = node.entries.get(name)
      if (next === undefined) return undefined
      node = next
    }
    return node
  }

  private lookup(path: string, syscall: string): Node {
    const node = this.find(path)
    if (node === undefined) throw fsError('ENOENT', syscall, path)
    return node
  }

  private parentOf(path: string, syscall: string): { parent: DirectoryNode; name: string } {
    if (path === '/') throw fsError('EISDIR', syscall, path)
    const parent = this.find(posix.dirname(path))
    if (parent === undefined) throw fsError('ENOENT', syscall, path)
    if (parent.kind !== 'directory') throw fsError('ENOTDIR', syscall, path)
    return { parent, name: posix.basename(path) }
  }

  private takeFailure(operation: FileOperation, path: string): PendingFailure | undefined {
    const index = this.failures.findIndex(
      (failure) => failure.operation === operation && (failure.path === undefined || failure.path === path),
    )
    return index < 0 ? undefined : this.failures.splice(index, 1)[0]
  }

  private checkHook(operation: FileOperation, path: string): void {
    const fault = this.faultHook?.(operation, path)
    if (fault !== undefined) throw toError(fault, operation, path)
  }

  private checkFault(operation: FileOperation, path: string): void {
    const failure = this.takeFailure(operation, path)
    if (failure) throw toError(failure.fault, operation, path)
    this.checkHook(operation, path)
  }
}

function restoreFile(file: FileNode, random: (() => number) | undefined): void {
  const durable = durableBytes(file)
  let keptBytes = durable.length
  // Only an append past the durable bytes can survive in part; its kept prefix is random.
  if (random !== undefined && file.durableCopy === undefined && file.size > file.durableSize) {
    const tailBytes = file.size - file.durableSize
    keptBytes += Math.min(tailBytes, Math.floor(random() * (tailBytes + 1)))
  }
  const content = file.durableCopy ?? file.content
  file.content = Buffer.from(content.subarray(0, keptBytes))
  file.size = keptBytes
  file.durableSize = keptBytes
  file.durableCopy = undefined
}

function toError(fault: InjectedFault, syscall: string, path: string): Error {
  return typeof fault === 'string' ? fsError(fault, syscall, path) : fault
}

function normalize(path: string): string {
  return posix.resolve('/', path)
}

function components(path: string): string[] {
  return path.split('/').filter((name) => name.length > 0)
}

/** Byte order, not locale order: the same listing on every machine. */
function compare(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0
}
