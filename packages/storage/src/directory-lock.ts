// One process per data directory. Two brokers on one directory each append to the same segment
// files and rewrite each other's metadata, silently destroying acknowledged data, so the second
// one must refuse to start. Node has no flock(), so the lock is a file holding its owner's pid:
// - it appears whole or not at all: written under a temporary name, then link()ed to the lock
//   name, which fails with EEXIST when a lock is there (no window where it exists but is empty);
// - a lock whose pid is dead (kill -9, power loss) is stale and taken over: renamed aside, which
//   only one contender can do to the same file, then checked to be the very file judged stale
//   before it is deleted (a contender that moved a fresh lock instead puts it back);
// - a lock naming this process's own pid but not held by it is stale too: a container restarted
//   with the same pid (often 1) must not lock itself out forever.
// Liveness comes from kill(pid, 0), so it only holds on one host: a lock written by another host
// (a shared network filesystem) is treated as live, and its message names the host.

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
  const { pid, host, token } = parsed as Record<string, unknown>
  if (!Number.isSafeInteger(pid) || (pid as number) <= 0) return undefined
  if (typeof host !== 'string' || typeof token !== 'string') return undefined
  return { pid: pid as number, host, token }
}

/** The world a lock decision depends on; Node's in `nodeProcessTable`, a fake in tests. */
export interface ProcessTable {
  readonly pid: number
  readonly host: string
  /** Whether `pid` names a running process on this host (EPERM counts as running). */
  isRunning(pid: number): boolean
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
}

/**
 * Whether `holder` still holds its lock. Pure. `heldHere` says whether this process holds the lock
 * now (the pid check alone cannot tell this process from an earlier one with the same pid).
 */
export function isLockLive(
  holder: LockHolder | undefined,
  processes: ProcessTable,
  heldHere: boolean,
): boolean {
  if (holder === undefined) return false
  if (holder.host !== processes.host) return true
  if (holder.pid === processes.pid) return heldHere
  return processes.isRunning(holder.pid)
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
  const mine: LockHolder = {
    pid: processes.pid,
    host: processes.host,
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
