// Shared test helpers: temp directories, batch builders, and a file-I/O wrapper that counts and injects faults.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  type Clock,
  type DecodedRecord,
  decodeRecordBatch,
  type ErrorName,
  encodeRecordBatch,
  isWeirError,
  splitBatches,
  type Timer,
  type Timers,
  type WeirError,
} from '@weir/protocol'
import { eventually } from '@weir/protocol/testing'
import { type FileIo, nodeFileIo, type PartitionLog } from '../src/index.js'

const created: string[] = []

export function tempDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'weir-storage-'))
  created.push(directory)
  return directory
}

export function removeTempDirectories(): void {
  for (const directory of created.splice(0)) rmSync(directory, { recursive: true, force: true })
}

/** A batch of `count` records with values `${label}-${index}` padded to `valueBytes`. */
export function makeBatch(
  count: number,
  options: { label?: string; valueBytes?: number; timestamp?: number } = {},
) {
  const label = options.label ?? 'v'
  const records = Array.from({ length: count }, (_, index) => ({
    key: Buffer.from(`k${index}`),
    value: Buffer.from(`${label}-${index}`.padEnd(options.valueBytes ?? 0, '.')),
  }))
  return encodeRecordBatch(records, { timestamp: options.timestamp ?? 1_700_000_000_000 })
}

/** Every record from `from` to the log end, decoded, reading `maxBytes` at a time. */
export async function readAll(
  log: PartitionLog,
  from = log.logStartOffset,
  maxBytes = 64 * 1024,
): Promise<DecodedRecord[]> {
  const records: DecodedRecord[] = []
  let offset = from
  while (offset < log.logEndOffset) {
    const result = await log.read(offset, maxBytes)
    if (result.bytes.length === 0) break
    for (const batch of splitBatches(result.bytes)) {
      for (const record of decodeRecordBatch(batch).records) if (record.offset >= offset) records.push(record)
    }
    offset = result.nextOffset
  }
  return records
}

export function values(records: readonly DecodedRecord[]): string[] {
  return records.map((record) => record.value?.toString() ?? '<null>')
}

export interface CountingIo extends FileIo {
  readonly counts: { datasync: number; writev: number }
  /** What happened, in order: `datasync done <path>` for each finished datasync. */
  readonly events: string[]
  /** Makes the next matching calls fail with this errno code. */
  failNext(operation: 'writev' | 'datasync' | 'open', code: string, times?: number): void
  /**
   * Holds every datasync (or those of files whose path `matches`) until released: lets a test see
   * that appends wait for it.
   */
  holdDatasync(matches?: (path: string) => boolean): () => void
  /** File operations started so far, and those not finished (a datasync waiting at a hold is not). */
  readonly operations: { started: number; running: number; held: number }
}

export function countingIo(): CountingIo {
  const counts = { datasync: 0, writev: 0 }
  const events: string[] = []
  const paths = new Map<number, string>()
  const failures = new Map<string, { code: string; times: number }>()
  let held: { gate: Promise<void>; matches: (path: string) => boolean } | undefined
  const operations = { started: 0, running: 0, held: 0 }
  const counted = async <T>(operation: () => Promise<T>): Promise<T> => {
    operations.started++
    operations.running++
    try {
      return await operation()
    } finally {
      operations.running--
    }
  }
  const maybeFail = (operation: string) => {
    const failure = failures.get(operation)
    if (!failure) return
    if (--failure.times <= 0) failures.delete(operation)
    throw Object.assign(new Error(`${failure.code}: injected`), { code: failure.code })
  }
  // Every operation counted, so settledWhileHeld can tell when the log has nothing left to do.
  const io = nodeFileIo
  const countedIo: FileIo = {
    ...io,
    close: (fd) => counted(() => io.close(fd)),
    size: (fd) => counted(() => io.size(fd)),
    read: (fd, position, length) => counted(() => io.read(fd, position, length)),
    truncate: (fd, length) => counted(() => io.truncate(fd, length)),
    readFile: (path) => counted(() => io.readFile(path)),
    writeFileAtomic: (path, data) => counted(() => io.writeFileAtomic(path, data)),
    readdir: (path) => counted(() => io.readdir(path)),
    mkdir: (path) => counted(() => io.mkdir(path)),
    unlink: (path) => counted(() => io.unlink(path)),
    rmdir: (path) => counted(() => io.rmdir(path)),
    exists: (path) => counted(() => io.exists(path)),
    syncDirectory: (path) => counted(() => io.syncDirectory(path)),
  }
  return {
    ...countedIo,
    counts,
    events,
    operations,
    failNext(operation, code, times = 1) {
      failures.set(operation, { code, times })
    },
    holdDatasync(matches = () => true) {
      let release!: () => void
      held = { gate: new Promise((resolve) => (release = resolve)), matches }
      return () => {
        held = undefined
        release()
      }
    },
    open: (path, options) =>
      counted(async () => {
        maybeFail('open')
        const fd = await nodeFileIo.open(path, options)
        paths.set(fd, path)
        return fd
      }),
    writev: (fd, buffers, position) =>
      counted(async () => {
        counts.writev++
        maybeFail('writev')
        return nodeFileIo.writev(fd, buffers, position)
      }),
    async datasync(fd) {
      counts.datasync++
      const path = paths.get(fd) ?? `fd ${fd}`
      const hold = held?.matches(path) ? held.gate : undefined
      if (hold !== undefined) {
        operations.held++
        await hold
        operations.held--
      }
      await counted(async () => {
        maybeFail('datasync')
        await nodeFileIo.datasync(fd)
        events.push(`datasync done ${path}`)
      })
    },
  }
}

/** Awaits `promise` and checks it rejects with a WeirError of `code` (and a message matching `pattern`). */
export async function rejectsWith(
  promise: Promise<unknown>,
  code: ErrorName,
  pattern?: RegExp,
): Promise<WeirError> {
  try {
    await promise
  } catch (error) {
    if (!isWeirError(error, code)) throw new Error(`expected ${code}, got ${String(error)}`, { cause: error })
    if (pattern && !pattern.test(error.message))
      throw new Error(`message ${JSON.stringify(error.message)} does not match ${pattern}`)
    return error
  }
  throw new Error(`expected a ${code} rejection, but the promise resolved`)
}

const turn = () => new Promise((resolve) => setImmediate(resolve))

/**
 * Whether `promise` has settled by the time the log can do nothing more without a held datasync:
 * one waits at the hold, every other file operation has finished, and two turns of the event
 * loop (for what each finished one deferred) started none. A log that waits for the held fsync
 * cannot have settled it by then; one that does not wait has. No window of time to guess.
 */
export async function settledWhileHeld(io: CountingIo, promise: Promise<unknown>): Promise<boolean> {
  let done = false
  void promise.then(
    () => (done = true),
    () => (done = true),
  )
  const { operations } = io
  await eventually(
    () =>
      `the log to stop at the held datasync (${operations.held} held, ${operations.running} other operations running)`,
    async () => {
      await turn()
      if (operations.held === 0 || operations.running > 0) return false
      const started = operations.started
      await turn()
      await turn()
      return operations.running === 0 && operations.started === started
    },
    { intervalMs: 1 },
  )
  return done
}

/** Rewrites a log's persisted recovery point, as if flushes after it had not finished before a crash. */
export function setRecoveryPoint(directory: string, offset: number): void {
  writeFileSync(join(directory, 'recovery-point'), `${JSON.stringify({ recoveryPoint: offset })}\n`)
}

/** A seeded uniform random in [0, 1) (mulberry32): the same sequence for the same seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let mixed = state
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1)
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61)
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296
  }
}

interface ManualTimer {
  readonly id: number
  dueMs: number
  readonly intervalMs: number | undefined
  readonly callback: () => void
  unref(): ManualTimer
}

/**
 * A clock and timers that move only when the test says so: `advance(ms)` fires what falls due,
 * `runDeferred()` runs what `defer` queued. Lets a test prove storage waits on these, not Node's.
 */
export class ManualTime implements Timers, Clock {
  nowMs = 1_700_000_000_000
  private nextId = 1
  private readonly timers = new Map<number, ManualTimer>()
  private deferred: (() => void)[] = []

  now(): number {
    return this.nowMs
  }

  setTimeout(callback: () => void, delayMs: number): ManualTimer {
    return this.add(callback, delayMs, undefined)
  }

  setInterval(callback: () => void, intervalMs: number): ManualTimer {
    return this.add(callback, intervalMs, intervalMs)
  }

  clear(timer: Timer | undefined): void {
    if (timer !== undefined) this.timers.delete((timer as ManualTimer).id)
  }

  defer(callback: () => void): void {
    this.deferred.push(callback)
  }

  /** Intervals armed and not cleared, by period. */
  intervals(): number[] {
    return [...this.timers.values()].flatMap((timer) =>
      timer.intervalMs === undefined ? [] : [timer.intervalMs],
    )
  }

  get deferredCount(): number {
    return this.deferred.length
  }

  /** Runs deferred callbacks until `work` settles; fails after `roundsMax` rounds instead of hanging. */
  async drive<T>(work: Promise<T>, roundsMax = 10_000): Promise<T> {
    let settled = false
    const watched = work.finally(() => {
      settled = true
    })
    for (let round = 0; round < roundsMax && !settled; round++) {
      this.runDeferred()
      await settle(20)
    }
    if (!settled) throw new Error(`work still pending after ${roundsMax} rounds of deferred callbacks`)
    return watched
  }

  runDeferred(): void {
    const callbacks = this.deferred
    this.deferred = []
    for (const callback of callbacks) callback()
  }

  advance(ms: number): void {
    const target = this.nowMs + ms
    for (;;) {
      const due = [...this.timers.values()].filter((timer) => timer.dueMs <= target)
      if (due.length === 0) break
      const next = due.reduce((first, timer) => (timer.dueMs < first.dueMs ? timer : first))
      this.nowMs = next.dueMs
      if (next.intervalMs === undefined) this.timers.delete(next.id)
      else next.dueMs += next.intervalMs
      next.callback()
    }
    this.nowMs = target
  }

  private add(callback: () => void, delayMs: number, intervalMs: number | undefined): ManualTimer {
    const timer: ManualTimer = {
      id: this.nextId++,
      dueMs: this.nowMs + Math.max(1, delayMs),
      intervalMs,
      callback,
      unref: () => timer,
    }
    this.timers.set(timer.id, timer)
    return timer
  }
}

/** Lets every promise chain that can move without I/O or timers move (MemoryFileIo answers in microtasks). */
export async function settle(turnsMax = 1000): Promise<void> {
  for (let turn = 0; turn < turnsMax; turn++) await Promise.resolve()
}
