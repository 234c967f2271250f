// A process's resident memory from Linux /proc, sampled while a scale row runs: the figure that
// tells what a partition, a topic or a connection costs the broker.
import { readdir, readFile, readlink } from 'node:fs/promises'

/** VmRSS of a /proc/<pid>/status text, in bytes; undefined when the line is missing (a zombie). */
export function parseVmRssBytes(status: string): number | undefined {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status)
  return match === null ? undefined : Number(match[1]) * 1024
}

/** The resident set of `pid` in bytes; throws when /proc has no such process or no VmRSS. */
export async function residentBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const bytes = parseVmRssBytes(status)
  if (bytes === undefined) throw new Error(`/proc/${pid}/status has no VmRSS line (did the process exit?)`)
  return bytes
}

export interface RssSampler {
  /** Stops sampling; the highest RSS seen, and the last one (bytes). */
  stop(): Promise<{ readonly peakBytes: number; readonly lastBytes: number }>
}

/**
 * Reads the RSS of `pid` every `everyMs` until stopped. Peak matters as much as the end state: a
 * broker that frees its buffers after a row still needed the memory while it ran.
 */
export function sampleResidentBytes(pid: number, everyMs = 100): RssSampler {
  let peakBytes = 0
  let lastBytes = 0
  let running = true
  let wake: (() => void) | undefined
  const loop = (async () => {
    while (running) {
      const bytes = await residentBytes(pid).catch(() => undefined)
      if (bytes !== undefined) {
        lastBytes = bytes
        peakBytes = Math.max(peakBytes, bytes)
      }
      await new Promise<void>((resolve) => {
        wake = resolve
        setTimeout(resolve, everyMs).unref()
      })
    }
  })()
  return {
    async stop() {
      running = false
      wake?.()
      await loop
      const bytes = await residentBytes(pid).catch(() => undefined)
      if (bytes !== undefined) {
        lastBytes = bytes
        peakBytes = Math.max(peakBytes, bytes)
      }
      return { peakBytes, lastBytes }
    },
  }
}

/** Open sockets of `pid` (its /proc/<pid>/fd entries that are sockets): connections plus listeners. */
export async function socketCount(pid: number): Promise<number> {
  const entries = await readdir(`/proc/${pid}/fd`)
  let sockets = 0
  for (const entry of entries) {
    const target = await readlink(`/proc/${pid}/fd/${entry}`).catch(() => '')
    if (target.startsWith('socket:')) sockets++
  }
  return sockets
}

export interface OpenFilesLimit {
  readonly soft: number | 'unlimited'
  readonly hard: number | 'unlimited'
}

/** "Max open files" of a /proc/<pid>/limits text (what `ulimit -n` / `ulimit -Hn` say). */
export function parseOpenFilesLimit(limits: string): OpenFilesLimit | undefined {
  const match = /^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)\s+files/m.exec(limits)
  if (match === null) return undefined
  const value = (text: string) => (text === 'unlimited' ? 'unlimited' : Number(text))
  return { soft: value(match[1]!), hard: value(match[2]!) }
}

/** This process's open-files limit (children inherit it: the broker has the same). */
export async function openFilesLimit(): Promise<OpenFilesLimit | undefined> {
  return parseOpenFilesLimit(await readFile('/proc/self/limits', 'utf8').catch(() => ''))
}

/** Linux reports /proc/<pid>/stat times in clock ticks of 1/100 s on every architecture Node runs on. */
const clockTicksPerSecond = 100

/** User plus system CPU seconds of a /proc/<pid>/stat text; undefined when it does not parse. */
export function parseCpuSeconds(stat: string): number | undefined {
  // Fields after the parenthesised command name (which may hold spaces): utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const ticks = Number(fields[11]) + Number(fields[12])
  return Number.isFinite(ticks) ? ticks / clockTicksPerSecond : undefined
}

/**
 * Cores `pid` keeps busy while nothing is asked of it, over `windowMs`: what hosting N partitions
 * or topics costs in timers (every partition is a Raft group with its own tick) when idle.
 */
export async function idleCores(pid: number, windowMs = 2000): Promise<number> {
  const read = async () => {
    const seconds = parseCpuSeconds(await readFile(`/proc/${pid}/stat`, 'utf8'))
    if (seconds === undefined) throw new Error(`/proc/${pid}/stat does not parse`)
    return seconds
  }
  const before = await read()
  const started = performance.now()
  await new Promise((resolve) => setTimeout(resolve, windowMs))
  return ((await read()) - before) / ((performance.now() - started) / 1000)
}
