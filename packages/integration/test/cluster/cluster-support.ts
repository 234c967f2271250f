// A real three-broker cluster for tests: `weir broker` child processes on fixed free 127.0.0.1
// ports (peers dial each other, so port 0 cannot be used), a client port and a peer port each,
// temp data directories, each broker's output kept for failure messages. Brokers authenticate each
// other with a cluster secret file (the default) or mutual TLS with the protocol package's test
// certificates. kill() is SIGKILL (a crash), restart() starts the same broker on the same ports
// and data directory.
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Client, type TopicDescriptor } from '@weir/client'
import { partitionForKey } from '@weir/protocol'
import { eventually, withTimeout } from '@weir/protocol/testing'

const cliPath = fileURLToPath(new URL('../../node_modules/@weir/cli/dist/main.js', import.meta.url))
/** The test CA and a certificate for 127.0.0.1 it signed, shared by every broker under mutual TLS. */
export const tlsFixtures = fileURLToPath(new URL('../../../protocol/test/fixtures/tls/', import.meta.url))

/** How the brokers prove to each other that they belong to the cluster. */
export type PeerAuthentication = 'secret' | 'tls'

export interface ClusterBroker {
  readonly id: number
  readonly port: number
  /** Where the other brokers reach it (the peer listener). */
  readonly peerPort: number
  readonly dataDir: string
  child: ChildProcess | undefined
  output: string
}

export interface TestCluster {
  readonly brokers: readonly ClusterBroker[]
  /** The cluster secret file every broker was given (also under TLS, for tests that play a peer). */
  readonly secretFile: string
  /** host:port of every broker, for a client's bootstrap list. */
  readonly bootstrap: string[]
  kill(id: number): Promise<void>
  /** SIGTERM (a graceful stop: leadership handed off first); resolves once the process exited. */
  stop(id: number): Promise<void>
  restart(id: number): Promise<void>
  /**
   * Starts a spare broker (see StartOptions.spareBrokers) for the first time, with --peers listing
   * every broker, the spares included, as an operator starts a broker before `add-broker`.
   */
  startSpare(id: number): Promise<void>
  /** `id@host:port/peerPort` of a broker, as in --peers. */
  peerEntry(id: number): string
  /** The tail of every broker's log, for an assertion message. */
  logs(): string
  close(): Promise<void>
}

/** A port nothing listens on now (bound to port 0 and closed: another process may still take it). */
export async function freePort(): Promise<number> {
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

/** How long a broker process may take to print that it listens. */
const launchTimeoutMs = 30_000

interface Launch {
  readonly peers: string
  readonly configPath: string | undefined
  /** Flags that make brokers authenticate each other. */
  readonly security: readonly string[]
  readonly brokerArgs: ((id: number) => readonly string[]) | undefined
}

function launch(broker: ClusterBroker, how: Launch): Promise<void> {
  const args = ['broker', '--id', String(broker.id), '--listen', `127.0.0.1:${broker.port}`]
  args.push(
    '--data-dir',
    broker.dataDir,
    '--peers',
    how.peers,
    '--log-level',
    process.env.WEIR_TEST_LOG_LEVEL ?? 'info',
    ...how.security,
  )
  if (how.configPath !== undefined) args.push('--config', how.configPath)
  if (how.brokerArgs !== undefined) args.push(...how.brokerArgs(broker.id))
  const child = spawn(process.execPath, [cliPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  broker.child = child
  running.add(child)
  child.once('exit', () => running.delete(child))
  const listening = new Promise<void>((resolve, reject) => {
    let listening = false
    // Only this child's own lines count: after a restart the kept output already says "listening".
    let ownTail = ''
    const onData = (chunk: Buffer) => {
      const text = chunk.toString('utf8')
      broker.output = (broker.output + text).slice(-200_000)
      ownTail = (ownTail + text).slice(-4096)
      if (!listening && ownTail.includes(`listening on 127.0.0.1:${broker.port}`)) {
        listening = true
        resolve()
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.once('exit', (code, signal) => {
      if (broker.child === child) broker.child = undefined
      if (!listening)
        reject(
          new Error(`broker ${broker.id} exited (${code ?? signal}) before listening:\n${broker.output}`),
        )
    })
  })
  return withTimeout(
    listening,
    launchTimeoutMs,
    () => `broker ${broker.id} to listen on 127.0.0.1:${broker.port}; its output:\n${broker.output}`,
  )
}

// A test runner that exits (or is interrupted) without reaching its `after` hook must not leave
// brokers running: kill whatever is still up.
const running = new Set<ChildProcess>()
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL')
})

export interface StartOptions {
  /** Brokers after the first `size` that get ports and a data directory but are not started. */
  readonly spareBrokers?: number
  /** More flags for broker `id`, at every start (e.g. its own `--kafka-listen` address). */
  readonly brokerArgs?: (id: number) => readonly string[]
}

/** Ports come from binding port 0 and closing it, so another process may take one first:
 *  such a start is retried on new ports. */
export async function startCluster(
  size = 3,
  config?: object,
  authentication: PeerAuthentication = 'secret',
  options: StartOptions = {},
): Promise<TestCluster> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startClusterOnce(size, config, authentication, options)
    } catch (error) {
      if (attempt >= 3 || !/already in use/.test((error as Error).message)) throw error
    }
  }
}

async function startClusterOnce(
  size: number,
  config: object | undefined,
  authentication: PeerAuthentication,
  options: StartOptions,
): Promise<TestCluster> {
  const spareBrokers = options.spareBrokers ?? 0
  const root = mkdtempSync(join(tmpdir(), 'weir-cluster-'))
  const secretFile = join(root, 'cluster.secret')
  writeFileSync(secretFile, `${randomBytes(32).toString('hex')}\n`)
  const security =
    authentication === 'secret'
      ? ['--cluster-secret-file', secretFile]
      : ['--peer-tls-cert', 'broker.pem', '--peer-tls-key', 'broker.key', '--peer-tls-ca', 'ca.pem'].map(
          (value) => (value.startsWith('--') ? value : join(tlsFixtures, value)),
        )
  // A weir.json every broker reads (flags still set id, listen, data dir and peers).
  const configPath = config === undefined ? undefined : join(root, 'weir.json')
  if (configPath !== undefined) writeFileSync(configPath, JSON.stringify(config))
  const brokers: ClusterBroker[] = []
  for (let id = 1; id <= size + spareBrokers; id++) {
    brokers.push({
      id,
      port: await freePort(),
      peerPort: await freePort(),
      dataDir: join(root, String(id)),
      child: undefined,
      output: '',
    })
  }
  const entry = (broker: ClusterBroker) => `${broker.id}@127.0.0.1:${broker.port}/${broker.peerPort}`
  const started = brokers.slice(0, size)
  const peers = started.map(entry).join(',')
  const how: Launch = { peers, configPath, security, brokerArgs: options.brokerArgs }
  const spareHow: Launch = { ...how, peers: brokers.map(entry).join(',') }
  const byId = (id: number) => brokers.find((broker) => broker.id === id)!
  const cluster: TestCluster = {
    brokers,
    secretFile,
    bootstrap: started.map((broker) => `127.0.0.1:${broker.port}`),
    async kill(id) {
      const child = byId(id).child
      if (child === undefined) return
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGKILL')
      await withTimeout(exited, 10_000, `broker ${id} to exit after SIGKILL`)
    },
    async stop(id) {
      const child = byId(id).child
      if (child === undefined) return
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await withTimeout(exited, 30_000, () => `broker ${id} to exit after SIGTERM\n${byId(id).output}`)
    },
    // A spare lists every broker in --peers (itself included), at its first start and after.
    restart: (id) => launch(byId(id), id > size ? spareHow : how),
    startSpare: (id) => launch(byId(id), spareHow),
    peerEntry: (id) => entry(byId(id)),
    logs: () =>
      brokers
        .map((broker) => `--- broker ${broker.id}\n${broker.output.split('\n').slice(-15).join('\n')}`)
        .join('\n'),
    async close() {
      await Promise.all(brokers.map((broker) => cluster.kill(broker.id)))
      rmSync(root, { recursive: true, force: true })
    },
  }
  try {
    await Promise.all(started.map((broker) => launch(broker, how)))
  } catch (error) {
    await cluster.close()
    throw error
  }
  return cluster
}

/**
 * Polls `check` every 50 ms until it returns a value other than undefined, or fails after
 * `timeoutMs` naming `what` (and the last error a check threw: a check that throws is retried,
 * as a request to a broker that is still electing fails).
 */
export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<T | undefined>,
): Promise<T> {
  let lastError: unknown
  const value = await eventually(
    () => `${what}${lastError ? ` (last error: ${(lastError as Error).message})` : ''}`,
    async () => {
      try {
        const value = await check()
        return value === undefined ? undefined : { value }
      } catch (error) {
        lastError = error
        return undefined
      }
    },
    { timeoutMs, intervalMs: 50 },
  )
  return value.value
}

/** A started cluster, a client of it, and the topic created once a controller is elected. */
export async function clusterWithTopic(
  clientId: string,
  topic?: { name: string; partitions: number; replicationFactor: number },
): Promise<{ cluster: TestCluster; client: Client }> {
  const cluster = await startCluster(3)
  const client = new Client({ brokers: cluster.bootstrap, clientId, maxMetadataAgeMs: 1000 })
  if (topic !== undefined) {
    await waitFor('topic created', 15_000, async () => {
      await client.admin().createTopic({ topic: topic.name, ...topic })
      return true
    })
  }
  return { cluster, client }
}

/**
 * Registers `before`/`after` hooks on `suite` that start a cluster (and the topic) and close it;
 * the returned object holds them once the suite runs.
 */
export function useCluster(
  suite: { before(hook: () => Promise<void>): void; after(hook: () => Promise<void>): void },
  clientId: string,
  topic?: { name: string; partitions: number; replicationFactor: number },
): { cluster: TestCluster; client: Client } {
  const env = {} as { cluster: TestCluster; client: Client }
  suite.before(async () => {
    try {
      Object.assign(env, await clusterWithTopic(clientId, topic))
    } catch (error) {
      // uvu swallows an error thrown by a `before` hook (its runner returns from `finally`): the
      // file's tests then count as neither passed nor failed, with nothing printed. Say why here.
      console.error(`${clientId}: starting the cluster failed:`, error)
      throw error
    }
  })
  suite.after(async () => {
    await env.client?.close()
    await env.cluster?.close()
  })
  return env
}

/**
 * The first `count` values of `topic` from the beginning; fails naming how many came if they do not
 * all come within `timeoutMs` (the consumer is closed either way).
 */
export async function readValues<T>(
  client: Client,
  topic: TopicDescriptor<T>,
  count: number,
  timeoutMs = 20_000,
): Promise<T[]> {
  const consumer = client.consumer({ topics: [topic], fromBeginning: true })
  const values: T[] = []
  const reading = (async () => {
    for await (const message of consumer) {
      values.push(message.value)
      if (values.length === count) return
    }
  })()
  try {
    await withTimeout(reading, timeoutMs, () => `${count} values of ${topic.name} (read ${values.length})`)
  } finally {
    await consumer.close()
  }
  if (values.length < count)
    throw new Error(`the consumer of ${topic.name} ended after ${values.length} of ${count} values`)
  return values
}

/** The broker leading the group's __consumer_offsets partition: its coordinator. */
export async function coordinatorOf(client: Client, group: string): Promise<number> {
  return waitFor('the group coordinator', 15_000, async () => {
    const offsets = await client.admin().describeTopic('__consumer_offsets')
    const leader = offsets.partitions[partitionForKey(group, offsets.partitions.length)]!.leader
    return leader > 0 ? leader : undefined
  })
}
