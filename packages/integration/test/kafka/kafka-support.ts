// Real Kafka clients against real `weir broker` children with `--kafka-listen`: a broker (or a
// 3-broker cluster) with a Kafka listener on a free port, kcat run as a child process with a
// timeout (its stderr kept for the failure message), and KafkaJS clients that log nothing.
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Client } from '@weir/client'
import { eventually, withTimeout } from '@weir/protocol/testing'
import { Kafka, logLevel } from 'kafkajs'
import { startBrokerChild } from '../cli/cli-support.js'
import { freePort, startCluster, type TestCluster } from '../cluster/cluster-support.js'

/** kcat as CI installs it (apt package `kcat`); `WEIR_KCAT` points elsewhere. */
export const kcatPath = process.env.WEIR_KCAT ?? '/usr/bin/kcat'
export const kcatAvailable = existsSync(kcatPath)

/** How long a broker's Kafka listener may take to accept connections once the broker listens. */
const kafkaListenTimeoutMs = 30_000

/** Resolves once something accepts a TCP connection on 127.0.0.1:port. */
export async function waitForListener(port: number, what: string): Promise<void> {
  await eventually(
    what,
    () =>
      new Promise<boolean>((resolve) => {
        const socket = connect({ host: '127.0.0.1', port })
        socket.once('connect', () => {
          socket.destroy()
          resolve(true)
        })
        socket.once('error', () => resolve(false))
      }),
    { timeoutMs: kafkaListenTimeoutMs, intervalMs: 50 },
  )
}

export interface KafkaBroker {
  readonly child: ChildProcess
  /** host:port of the native listener, for Weir's client. */
  readonly bootstrap: string
  /** host:port of the Kafka listener, for kcat and KafkaJS. */
  readonly kafka: string
  close(): Promise<void>
}

/** A `weir broker` child with `--kafka-listen` on a free port and a temp data directory. */
export async function startKafkaBroker(extraArgs: readonly string[] = []): Promise<KafkaBroker> {
  for (let attempt = 1; ; attempt++) {
    const dataDir = mkdtempSync(join(tmpdir(), 'weir-kafka-'))
    const kafkaPort = await freePort()
    try {
      const { child, bootstrap } = await withTimeout(
        startBrokerChild(dataDir, ['--kafka-listen', `127.0.0.1:${kafkaPort}`, ...extraArgs]),
        kafkaListenTimeoutMs,
        'the broker to listen',
      )
      const exited = new Promise((resolve) => child.once('exit', resolve))
      await waitForListener(kafkaPort, `the Kafka listener on 127.0.0.1:${kafkaPort}`)
      return {
        child,
        bootstrap,
        kafka: `127.0.0.1:${kafkaPort}`,
        async close() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
          await withTimeout(exited, 10_000, 'the broker to exit')
          rmSync(dataDir, { recursive: true, force: true })
        },
      }
    } catch (error) {
      rmSync(dataDir, { recursive: true, force: true })
      // The free port may have been taken by another process before the broker bound it.
      if (attempt >= 3 || !/in use/i.test((error as Error).message)) throw error
    }
  }
}

export interface KafkaCluster {
  readonly cluster: TestCluster
  /** host:port of every broker's Kafka listener, by broker id - 1. */
  readonly kafka: string[]
}

/** A 3-broker cluster (cluster-support.ts), each broker with its own `--kafka-listen`. */
export async function startKafkaCluster(): Promise<KafkaCluster> {
  for (let attempt = 1; ; attempt++) {
    const kafkaPorts = [await freePort(), await freePort(), await freePort()]
    try {
      const cluster = await startCluster(3, undefined, 'secret', {
        brokerArgs: (id) => ['--kafka-listen', `127.0.0.1:${kafkaPorts[id - 1]}`],
      })
      try {
        await Promise.all(kafkaPorts.map((port) => waitForListener(port, `the Kafka listener on ${port}`)))
      } catch (error) {
        await cluster.close()
        throw error
      }
      return { cluster, kafka: kafkaPorts.map((port) => `127.0.0.1:${port}`) }
    } catch (error) {
      if (attempt >= 3 || !/in use/i.test((error as Error).message)) throw error
    }
  }
}

export interface KcatResult {
  readonly stdout: string
  readonly stderr: string
}

/**
 * Runs kcat against `broker` with `args` (stdin `input`); resolves with its output once it exits 0,
 * fails with its exit code and stderr otherwise, or after `timeoutMs` (the child is killed).
 */
export async function kcat(
  broker: string,
  args: readonly string[],
  input = '',
  timeoutMs = 60_000,
): Promise<KcatResult> {
  const child = spawn(kcatPath, ['-b', broker, '-X', 'api.version.request=true', ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  const stdout: Buffer[] = []
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk))
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-6_000)
  })
  child.stdin.on('error', () => {}) // kcat may exit before reading it all; its exit code says why
  child.stdin.end(input)
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', (code) => resolve(code))
  })
  const command = `kcat ${args.join(' ')}`
  let code: number | null
  try {
    code = await withTimeout(exited, timeoutMs, () => `${command} to exit; its stderr:\n${stderr}`)
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  }
  if (code !== 0) throw new Error(`${command} exited with ${code}; its stderr:\n${stderr}`)
  return { stdout: Buffer.concat(stdout).toString('utf8'), stderr }
}

/** A KafkaJS client of `brokers` that logs only errors worth a failed test's attention. */
export function kafkaJs(brokers: string[], clientId = 'weir-kafka-it'): Kafka {
  return new Kafka({
    brokers,
    clientId,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 10_000,
    requestTimeout: 30_000,
    retry: { retries: 10, initialRetryTime: 100, maxRetryTime: 2_000 },
  })
}

/** Weir's own client on the native listener, for topic setup and cross-checks. */
export function weirClient(brokers: string[], clientId = 'weir-kafka-it'): Client {
  return new Client({ brokers, clientId, maxMetadataAgeMs: 1000 })
}
