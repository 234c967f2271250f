// A Weir cluster of `weir broker --peers` processes on 127.0.0.1, each its own process with its own
// data directory, started through the CLI built from this checkout (as e2e/weir-server.ts does for
// one broker). One broker can be SIGKILLed and restarted on the same port and data directory: the
// failover benchmark needs that. Every broker's stdout and stderr go to a log file in the cluster's
// temp directory, whose tail is put into every error, so a misbehaving cluster can be diagnosed
// from the benchmark's output alone. The processes and the directory are tracked by
// child-processes.ts: an exception, Ctrl-C or a kill of the parent leaves nothing behind.
import type { ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createWriteStream, type WriteStream } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { spawnWeirBroker } from '../e2e/weir-server.js'
import {
  freePort,
  makeTemporaryDirectory,
  removeTemporaryDirectory,
  stopChild,
  waitForReadyLine,
} from './child-processes.js'

export interface WeirClusterOptions {
  /** Brokers in the cluster, ids 1..brokerCount. Default 3. */
  readonly brokerCount?: number
  /** Written to a weir.json given to every broker with --config. */
  readonly config?: Record<string, unknown>
}

export interface ClusterBroker {
  readonly id: number
  /** host:port, the same across restarts. */
  readonly address: string
}

export interface WeirCluster {
  readonly brokers: readonly ClusterBroker[]
  /** Every broker's address, for the client's `brokers`. */
  readonly bootstrap: readonly string[]
  /** The cluster's temp directory: data/<id>/ per broker, logs/broker-<id>.log. */
  readonly directory: string
  isRunning(id: number): boolean
  /** Sends `signal` to broker `id` and resolves once the process has exited. */
  kill(id: number, signal: NodeJS.Signals): Promise<void>
  /** Starts broker `id` again (same port, same data directory); resolves when it listens. */
  restart(id: number): Promise<void>
  /**
   * CPU seconds (user + system) the running brokers have used since they started, summed; undefined
   * where /proc is missing (not Linux). Differences over a run tell how busy the brokers were.
   */
  cpuSeconds(): Promise<number | undefined>
  /** The last `lines` lines of every broker's log, labelled, for error messages. */
  logTail(lines?: number): Promise<string>
  /** SIGTERM (SIGKILL after a timeout) to every broker, then deletes the directory. */
  stop(): Promise<void>
}

const host = '127.0.0.1'
const logTailLines = 30
/** Linux reports /proc/<pid>/stat times in clock ticks of 1/100 s on every architecture Node runs on. */
const clockTicksPerSecond = 100
const listeningLine = /"msg":"listening on (\d+\.\d+\.\d+\.\d+:\d+)"/

/** Free ports are picked by binding port 0 and closing it, so another process can take one
 *  before the broker binds it: such a start is retried on new ports. */
const portRaceAttemptsMax = 3

export async function startWeirCluster(options: WeirClusterOptions = {}): Promise<WeirCluster> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startWeirClusterOnce(options)
    } catch (error) {
      if (attempt >= portRaceAttemptsMax || !/already in use/.test((error as Error).message)) throw error
    }
  }
}

async function startWeirClusterOnce(options: WeirClusterOptions): Promise<WeirCluster> {
  const brokerCount = options.brokerCount ?? 3
  const directory = await makeTemporaryDirectory()
  const processes = new Map<number, ChildProcess>()
  /** Resolves when the process's stdout and stderr are closed: nothing more goes to its log. */
  const closed = new Map<number, Promise<void>>()
  const logs = new Map<number, WriteStream>()
  const logPath = (id: number) => join(directory, 'logs', `broker-${id}.log`)
  const brokers: ClusterBroker[] = []

  const isRunning = (id: number) => {
    const child = processes.get(id)
    return child !== undefined && child.exitCode === null && child.signalCode === null
  }
  const logTail = async (lines = logTailLines) => {
    const tails: string[] = []
    for (const { id } of brokers) {
      const text = await readFile(logPath(id), 'utf8').catch(() => '(no log)')
      const tail = text.trimEnd().split('\n').slice(-lines).join('\n')
      tails.push(`--- broker ${id} (${logPath(id)}), last ${lines} lines:\n${tail}`)
    }
    return tails.join('\n')
  }
  const stop = async () => {
    await Promise.all([...processes.values()].map((child) => stopChild(child)))
    await Promise.all(closed.values())
    await Promise.all([...logs.values()].map((log) => new Promise((resolve) => log.end(resolve))))
    await removeTemporaryDirectory(directory)
  }

  try {
    await mkdir(join(directory, 'logs'))
    const configPath = join(directory, 'weir.json')
    await writeFile(configPath, JSON.stringify(options.config ?? {}))
    for (let id = 1; id <= brokerCount; id++) brokers.push({ id, address: `${host}:${await freePort()}` })
    // Brokers talk on their own peer ports (not the client port + 1, which may be taken) and
    // authenticate each other with a secret file, as a cluster must.
    const peerPorts = new Map<number, number>()
    for (const { id } of brokers) peerPorts.set(id, await freePort())
    const peers = brokers
      .map((broker) => `${broker.id}@${broker.address}/${peerPorts.get(broker.id)}`)
      .join(',')
    const secretPath = join(directory, 'cluster.secret')
    await writeFile(secretPath, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 })

    const launch = async (id: number): Promise<void> => {
      const broker = brokers.find((entry) => entry.id === id)
      if (!broker) throw new Error(`no broker ${id} in this cluster of ${brokerCount}`)
      const log = logs.get(id) ?? createWriteStream(logPath(id), { flags: 'a' })
      logs.set(id, log)
      log.write(`--- ${new Date().toISOString()} starting broker ${id}\n`)
      const dataDir = join(directory, 'data', String(id))
      const args = ['--id', String(id), '--listen', broker.address, '--data-dir', dataDir, '--peers', peers]
      args.push('--cluster-secret-file', secretPath)
      const child = spawnWeirBroker(args, configPath)
      processes.set(id, child)
      closed.set(id, new Promise((resolve) => child.once('close', () => resolve())))
      child.stdout.pipe(log, { end: false })
      child.stderr.pipe(log, { end: false })
      child.once('exit', (code, signal) => {
        if (log.writable)
          log.write(`--- ${new Date().toISOString()} broker ${id} exited with ${code ?? signal}\n`)
      })
      try {
        await waitForReadyLine(child, listeningLine, `weir broker ${id}`)
      } catch (error) {
        throw new Error(`${(error as Error).message}\nRun \`pnpm build\` first if dist/ is missing.`)
      }
    }

    await Promise.all(brokers.map((broker) => launch(broker.id)))
    return {
      brokers,
      bootstrap: brokers.map((broker) => broker.address),
      directory,
      isRunning,
      async cpuSeconds() {
        let ticks = 0
        for (const child of processes.values()) {
          if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) continue
          const stat = await readFile(`/proc/${child.pid}/stat`, 'utf8').catch(() => undefined)
          if (stat === undefined) return undefined
          // Fields after the parenthesised command name: utime and stime are the 12th and 13th.
          const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
          ticks += Number(fields[11]) + Number(fields[12])
        }
        return ticks / clockTicksPerSecond
      },
      async kill(id, signal) {
        const child = processes.get(id)
        if (!child || child.exitCode !== null || child.signalCode !== null) {
          throw new Error(`broker ${id} is not running`)
        }
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
        child.kill(signal)
        await exited
      },
      async restart(id) {
        if (isRunning(id)) throw new Error(`broker ${id} is still running`)
        try {
          await launch(id)
        } catch (error) {
          throw new Error(`${(error as Error).message}\n${await logTail()}`)
        }
      },
      logTail,
      stop,
    }
  } catch (error) {
    const tail = await logTail()
    await stop()
    throw new Error(`the Weir cluster did not start: ${(error as Error).message}\n${tail}`)
  }
}
