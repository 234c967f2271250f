// A broker child process for the attack benchmark (the `weir` CLI of this checkout), with its
// resident memory read from /proc while attacks run and its stdout bytes counted (the log).
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { spawnWeirBroker } from '../e2e/weir-server.js'
import { makeTemporaryDirectory, removeTemporaryDirectory, stopChild } from '../servers/child-processes.js'

export interface BrokerProcess {
  readonly address: string
  readonly pid: number
  /** Bytes the broker wrote to stdout (its log) so far. */
  logBytes(): number
  stop(): Promise<void>
}

export async function startBrokerProcess(config: object = {}): Promise<BrokerProcess> {
  const dataDir = await makeTemporaryDirectory()
  const configDir = await makeTemporaryDirectory()
  const configPath = join(configDir, 'weir.json')
  await writeFile(configPath, JSON.stringify(config))
  const child = spawnWeirBroker(['--listen', '127.0.0.1:0', '--data-dir', dataDir], configPath)
  let logBytes = 0
  const stderr: string[] = []
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')))
  const address = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no "listening on" line; stderr: ${stderr.join('')}`)),
      20_000,
    )
    const lines = createInterface({ input: child.stdout })
    lines.on('line', (line) => {
      const match = /listening on (\d+\.\d+\.\d+\.\d+:\d+)/.exec(line)
      if (!match) return
      clearTimeout(timer)
      lines.close()
      child.stdout.on('data', (chunk: Buffer) => (logBytes += chunk.length))
      // Closing the line reader paused stdout: a full pipe would stall the broker's logging.
      child.stdout.resume()
      resolve(match[1]!)
    })
    child.once('exit', (code) => reject(new Error(`broker exited with ${code}: ${stderr.join('')}`)))
  })
  return {
    address,
    pid: child.pid!,
    logBytes: () => logBytes,
    stop: () =>
      stopChild(child).finally(() =>
        removeTemporaryDirectory(dataDir).finally(() => removeTemporaryDirectory(configDir)),
      ),
  }
}

/** The process's resident set in bytes (Linux /proc). */
export async function rssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const match = /VmRSS:\s+(\d+) kB/.exec(status)
  if (!match) throw new Error(`no VmRSS in /proc/${pid}/status`)
  return Number(match[1]) * 1024
}

/** Samples RSS every `everyMs` until stopped; the peak seen. */
export function sampleRss(pid: number, everyMs = 50): { stop(): Promise<number> } {
  let peak = 0
  let running = true
  const loop = (async () => {
    while (running) {
      peak = Math.max(peak, await rssBytes(pid).catch(() => 0))
      await new Promise((resolve) => setTimeout(resolve, everyMs))
    }
  })()
  return {
    stop: async () => {
      running = false
      await loop
      return peak
    },
  }
}
