// Real `weir broker` child processes on 127.0.0.1 for a chaos run. Client ports are direct; every
// peer link goes through its own LinkProxy: broker i's --peers names broker j's peer port as the
// port of proxy i→j (its own entry is real), so the --peers lists differ per broker, which brokers
// accept (peers authenticate by cluster secret and broker id; nothing compares the lists).
// Spare brokers (for add-broker) get ports, a directory and proxies for their own dials, but are not
// in the first brokers' --peers; the others reach them at the address `weir cluster add-broker` names.
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { LinkNetwork } from './link-network.js'
import type { Random } from './prng.js'

export const cliPath = fileURLToPath(new URL('../node_modules/@weir/cli/dist/main.js', import.meta.url))

/** How long a broker may take to print that it listens. */
const launchTimeoutMs = 30_000
/** How long a signalled broker may take to exit (SIGTERM closes gracefully, then exits). */
const exitTimeoutMs = 20_000

export type BrokerState = 'running' | 'paused' | 'stopped'

export interface ChaosBroker {
  readonly id: number
  readonly port: number
  readonly peerPort: number
  readonly dataDir: string
  readonly logFile: string
  child: ChildProcess | undefined
  state: BrokerState
  /** The last lines the process printed, for a failure message. */
  tail: string
}

export interface ChaosClusterOptions {
  readonly size: number
  /** Brokers started later by add-broker scenarios (ids size+1..size+spares). */
  readonly spares: number
  readonly random: Random
  /** weir.json shared by every broker (flags still give id, listen, data dir, peers, secret). */
  readonly config: object
}

export class ChaosCluster {
  private constructor(
    readonly root: string,
    readonly brokers: readonly ChaosBroker[],
    readonly network: LinkNetwork,
    /** The ids of the first brokers (the cluster's static --peers). */
    readonly ids: readonly number[],
    private readonly secretFile: string,
    private readonly configFile: string,
  ) {}

  static async start(options: ChaosClusterOptions): Promise<ChaosCluster> {
    const root = mkdtempSync(join(tmpdir(), 'weir-chaos-'))
    const secretFile = join(root, 'cluster.secret')
    writeFileSync(secretFile, `${randomBytes(32).toString('hex')}\n`)
    const configFile = join(root, 'weir.json')
    writeFileSync(configFile, JSON.stringify(options.config))
    const brokers: ChaosBroker[] = []
    for (let id = 1; id <= options.size + options.spares; id++) {
      const dataDir = join(root, `broker-${id}`)
      mkdirSync(dataDir)
      brokers.push({
        id,
        port: await freePort(),
        peerPort: await freePort(),
        dataDir,
        logFile: join(root, `broker-${id}.log`),
        child: undefined,
        state: 'stopped',
        tail: '',
      })
    }
    const everyId = brokers.map((broker) => broker.id)
    const network = await LinkNetwork.start(everyId, (id) => brokers[id - 1]!.peerPort, options.random)
    const ids = everyId.slice(0, options.size)
    const cluster = new ChaosCluster(root, brokers, network, ids, secretFile, configFile)
    try {
      await Promise.all(ids.map((id) => cluster.start(id)))
    } catch (error) {
      await cluster.close()
      throw error
    }
    return cluster
  }

  broker(id: number): ChaosBroker {
    const broker = this.brokers[id - 1]
    if (broker === undefined) throw new RangeError(`no broker ${id}`)
    return broker
  }

  /** host:port of every first broker, for a client's bootstrap list. */
  get bootstrap(): string[] {
    return this.ids.map((id) => `127.0.0.1:${this.broker(id).port}`)
  }

  /** The --peers list broker `self` is given: its own entry real, the others through proxies. */
  peersFor(self: number, members: readonly number[]): string {
    return members
      .map((id) => {
        const broker = this.broker(id)
        const peerPort = id === self ? broker.peerPort : this.network.portFor(self, id)
        return `${id}@127.0.0.1:${broker.port}/${peerPort}`
      })
      .join(',')
  }

  /** Starts (or restarts on the same ports and directory) broker `id`; resolves once it listens. */
  start(id: number, members: readonly number[] = this.ids): Promise<void> {
    const broker = this.broker(id)
    const args = [cliPath, 'broker', '--id', String(id), '--listen', `127.0.0.1:${broker.port}`]
    args.push('--data-dir', broker.dataDir, '--peers', this.peersFor(id, members))
    args.push('--cluster-secret-file', this.secretFile, '--config', this.configFile, '--log-level', 'info')
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    broker.child = child
    broker.state = 'running'
    running.add(child)
    appendFileSync(broker.logFile, `--- start ${new Date().toISOString()}\n`)
    return new Promise<void>((resolve, reject) => {
      let listening = false
      const timer = setTimeout(() => {
        reject(new Error(`broker ${id} did not listen within ${launchTimeoutMs} ms:\n${broker.tail}`))
      }, launchTimeoutMs)
      const onData = (chunk: Buffer) => {
        const text = chunk.toString('utf8')
        appendFileSync(broker.logFile, text)
        broker.tail = (broker.tail + text).slice(-20_000)
        if (!listening && broker.tail.includes(`listening on 127.0.0.1:${broker.port}`)) {
          listening = true
          clearTimeout(timer)
          resolve()
        }
      }
      child.stdout!.on('data', onData)
      child.stderr!.on('data', onData)
      child.once('exit', (code, signal) => {
        running.delete(child)
        if (broker.child === child) {
          broker.child = undefined
          broker.state = 'stopped'
        }
        if (!listening) {
          clearTimeout(timer)
          reject(new Error(`broker ${id} exited (${code ?? signal}) before listening:\n${broker.tail}`))
        }
      })
    })
  }

  /** Sends `signal` and waits for the exit (SIGKILL: a crash; SIGTERM: a graceful stop). */
  async stop(id: number, signal: 'SIGKILL' | 'SIGTERM'): Promise<void> {
    const broker = this.broker(id)
    const child = broker.child
    if (child === undefined) return
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    if (broker.state === 'paused') child.kill('SIGCONT')
    child.kill(signal)
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        child.kill('SIGKILL')
        resolve()
      }, exitTimeoutMs)
    })
    await Promise.race([exited, timeout])
    await exited
    clearTimeout(timer)
  }

  pause(id: number): void {
    const broker = this.broker(id)
    if (broker.child === undefined || broker.state !== 'running') return
    broker.child.kill('SIGSTOP')
    broker.state = 'paused'
  }

  resume(id: number): void {
    const broker = this.broker(id)
    if (broker.child === undefined || broker.state !== 'paused') return
    broker.child.kill('SIGCONT')
    broker.state = 'running'
  }

  /** Empties a stopped broker's data directory (a replaced disk). */
  wipe(id: number): void {
    const broker = this.broker(id)
    if (broker.child !== undefined) throw new Error(`wipe of broker ${id} while it runs: stop it first`)
    rmSync(broker.dataDir, { recursive: true, force: true })
    mkdirSync(broker.dataDir)
  }

  /** The tail of every broker's output, for a failure message. */
  logs(): string {
    return this.brokers
      .filter((broker) => broker.tail !== '')
      .map((broker) => `--- broker ${broker.id}\n${broker.tail.split('\n').slice(-12).join('\n')}`)
      .join('\n')
  }

  /** Stops every broker still running (SIGTERM, so each closes its logs cleanly). */
  async stopAll(): Promise<void> {
    await Promise.all(this.brokers.map((broker) => this.stop(broker.id, 'SIGTERM')))
  }

  async close(keepFiles = false): Promise<void> {
    await Promise.all(this.brokers.map((broker) => this.stop(broker.id, 'SIGKILL')))
    await this.network.close()
    if (!keepFiles) rmSync(this.root, { recursive: true, force: true })
  }
}

// A chaos process that exits (or is interrupted) without closing its cluster must not leave
// brokers running, paused ones included.
const running = new Set<ChildProcess>()
process.once('exit', () => {
  for (const child of running) {
    child.kill('SIGCONT')
    child.kill('SIGKILL')
  }
})

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen({ host: '127.0.0.1', port: 0 }, () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}
