// One process per data directory. Two brokers on one directory each append to the same segment
// files and rewrite each other's metadata, silently destroying acknowledged data, so the second
// one must refuse to start. Node has no flock(), so the lock is a file naming its owner:
// - it appears whole or not at all: written under a temporary name, then link()ed to the lock
//   name, which fails with EEXIST when a lock is there (no window where it exists but is empty);
// - a lock whose owner is not running (kill -9, power loss) is stale and taken over: renamed
//   aside, which only one contender can do to the same file, then checked to be the very file
//   judged stale before it is deleted (a contender that moved a fresh lock instead puts it back);
// - "running" is a pid plus, on Linux, that process's start time and the kernel's boot id: a pid
//   reused by another process (a container started again, where the old broker's pid 1 or 7 now
//   names someone else) does not keep a dead broker's lock alive;
// - a lock naming this process's own pid but not held by it is stale too (a restarted container
//   whose broker is pid 1 again).
// The lock guards one host: a data directory shared between hosts (a network filesystem) is not
// supported, and the message names the host a lock came from.
import { randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import { hostname } from 'node:os'
import { WeirError } from '@weir/protocol'

export const lockFileName = 'weir.lock'

export interface FileLock {
  /** Removes the lock if it is still this holder's. Idempotent. */
  release(): Promise<void>
}

export interface LockHolder {
  readonly pid: number
  readonly host: string
  /** Which process the pid was when the lock was taken (see ProcessTable.identity), if known. */
  readonly identity?: string
  /** Unique per acquisition, so a holder only ever deletes its own lock. */
  readonly token: string
}

export function encodeLockHolder(holder: LockHolder): Buffer {
  return Buffer.from(`${JSON.stringify(holder)}\n`)
}

/** The holder a lock file names, or undefined when it names none (torn by a power loss). */
export function decodeLockHolder(bytes: Buffer): LockHolder | undefined {
  let parsed: unknown
  try {
    parsed = JSON.parse(bytes.toString('utf8'))
  } catch {
    return undefined
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined
  const { pid, host, token, identity } = parsed as Record<string, unknown>
  if (!Number.isSafeInteger(pid) || (pid as number) <= 0) return undefined
  if (typeof host !== 'string' || typeof token !== 'string') return undefined
  const holder = { pid: pid as number, host, token }
  return typeof identity === 'string' ? { ...holder, identity } : holder
}

/** The world a lock decision depends on; Node's in `nodeProcessTable`, a fake in tests. */
export interface ProcessTable {
  readonly pid: number
  readonly host: string
  /** Whether `pid` names a running process on this host (EPERM counts as running). */
  isRunning(pid: number): boolean
  /** What tells this run of `pid` from a later process with the same pid; undefined if unknown. */
  identity(pid: number): string | undefined
}

/** Linux: the boot id and the process's start time in clock ticks since boot (/proc/<pid>/stat field 22). */
function linuxIdentity(pid: number): string | undefined {
  try {
    const bootId = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
    const startTicks = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]
    return startTicks === undefined ? undefined : `${bootId}:${startTicks}`
  } catch {
    return undefined
  }
}

export const nodeProcessTable: ProcessTable = {
  pid: process.pid,
  host: hostname(),
  isRunning(pid) {
    try {
      process.kill(pid, 0)
      return true
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'EPERM'
    }
  },
  identity: linuxIdentity,
}

/**
 * Whether `holder` still holds its lock. `heldHere` says whether this process holds the lock now
 * (the pid alone cannot tell this process from an earlier one with the same pid).
 */
export function isLockLive(
  holder: LockHolder | undefined,
  processes: ProcessTable,
  heldHere: boolean,
): boolean {
  if (holder === undefined) return false
  if (holder.pid === processes.pid) return heldHere
  if (!processes.isRunning(holder.pid)) return false
  // Running, but is it the same process? Only when both sides know, else trust the pid.
  const now = holder.identity === undefined ? undefined : processes.identity(holder.pid)
  return now === undefined || now === holder.identity
}

export function lockedError(path: string, holder: LockHolder, processes: ProcessTable): WeirError {
  const where = holder.host === processes.host ? '' : ` on host ${holder.host}`
  return new WeirError(
    'DATA_DIRECTORY_LOCKED',
    `${path} is held by process ${holder.pid}${where}; stop that broker first, or delete ${path} if no such process runs any more`,
  )
}

/** Paths this process holds: two brokers in one process must exclude each other too. */
const heldHere = new Set<string>()
let acquisitions = 0
const attemptsMax = 5

/**
 * Takes the lock at `path` (its directory must exist). Errors: DATA_DIRECTORY_LOCKED naming the
 * holder's pid; the file system's errors (ENOENT, EACCES) as they are.
 */
export async function lockFile(path: string, processes: ProcessTable = nodeProcessTable): Promise<FileLock> {
  const identity = processes.identity(processes.pid)
  const mine: LockHolder = {
    pid: processes.pid,
    host: processes.host,
    ...(identity === undefined ? {} : { identity }),
    token: `${processes.pid}-${++acquisitions}-${randomBytes(6).toString('hex')}`,
  }
  const temporary = `${path}.${mine.token}.tmp`
  await fs.promises.writeFile(temporary, encodeLockHolder(mine))
  try {
    for (let attempt = 0; attempt < attemptsMax; attempt++) {
      if (await linkIfAbsent(temporary, path)) {
        heldHere.add(path)
        return heldLock(path, mine)
      }
      const seen = await readIfPresent(path)
      if (seen === undefined) continue
      const holder = decodeLockHolder(seen)
      if (isLockLive(holder, processes, heldHere.has(path))) throw lockedError(path, holder!, processes)
      await removeStale(path, seen, `${path}.${mine.token}.stale`)
    }
  } finally {
    await fs.promises.rm(temporary, { force: true })
  }
  throw new WeirError(
    'DATA_DIRECTORY_LOCKED',
    `${path} kept changing hands; another broker is starting on it`,
  )
}

function heldLock(path: string, mine: LockHolder): FileLock {
  let released = false
  return {
    async release() {
      if (released) return
      released = true
      heldHere.delete(path)
      const seen = await readIfPresent(path)
      if (seen !== undefined && decodeLockHolder(seen)?.token === mine.token)
        await fs.promises.rm(path, { force: true })
    },
  }
}

async function linkIfAbsent(from: string, to: string): Promise<boolean> {
  try {
    await fs.promises.link(from, to)
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw error
  }
}

async function readIfPresent(path: string): Promise<Buffer | undefined> {
  try {
    return await fs.promises.readFile(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
}

/**
 * Deletes the stale lock whose bytes were `seen`. rename() moves one file to one place, so of two
 * contenders only one moves the stale lock; the other moves nothing (ENOENT) or the fresh lock the
 * first one made since, which it notices by its bytes and links back.
 */
async function removeStale(path: string, seen: Buffer, aside: string): Promise<void> {
  try {
    await fs.promises.rename(path, aside)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return
    throw error
  }
  const moved = await fs.promises.readFile(aside)
  if (!moved.equals(seen)) await linkIfAbsent(aside, path)
  await fs.promises.rm(aside, { force: true })
}
