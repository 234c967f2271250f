// One `weir broker` process for a scale row, as a user runs it (the CLI of this checkout), with
// what a scale row needs beyond e2e/weir-server.ts: its pid (RSS from /proc), limits raised for
// 10,000 topics and 1,000+ connections, and a restart on the same data directory timed until the
// broker listens again (it opens every topic first).
import type { ChildProcessByStdio } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import type { Readable } from 'node:stream'
import { spawnWeirBroker } from '../e2e/weir-server.js'
import { secondsSince } from '../measurement.js'
import { makeTemporaryDirectory, removeTemporaryDirectory, stopChild } from '../servers/child-processes.js'

/** The broker's and the row's clients' request timeout: long set-up requests on a loaded machine. */
export const scaleRequestTimeoutMs = 300_000

/** Opening 10,000 topics (full suite) may take a while on a loaded machine; a hang still fails. */
const listenTimeoutMs = 600_000

export interface ScaleBroker {
  /** host:port for the client's `brokers`. */
  readonly address: string
  readonly pid: number
  readonly dataDirectory: string
  /** Graceful stop (SIGTERM), then a new process on the same data directory; seconds until it listens. */
  restart(): Promise<number>
  /** Stops the process (SIGTERM) and keeps the data directory, to read its files afterwards. */
  stopProcess(): Promise<void>
  /** Stops the process if running and removes its directories. */
  stop(): Promise<void>
}

export interface ScaleBrokerLimits {
  readonly requestTimeoutMs?: number
  readonly maxTopics?: number
  readonly maxConnections?: number
  readonly maxConnectionsPerIp?: number
  readonly maxPartitionsPerBroker?: number
}

export async function startScaleBroker(limits: ScaleBrokerLimits = {}): Promise<ScaleBroker> {
  const dataDirectory = await makeTemporaryDirectory()
  const configDirectory = await makeTemporaryDirectory()
  const configPath = join(configDirectory, 'weir.json')
  // Creating 1,000 partitions took over 30 s (the default request timeout) at load 30 on the
  // shared 2-core VM: a slow machine makes the row slow, not failed.
  await writeFile(
    configPath,
    JSON.stringify({ limits: { requestTimeoutMs: scaleRequestTimeoutMs, ...limits } }),
  )
  const removeDirectories = () =>
    removeTemporaryDirectory(dataDirectory).finally(() => removeTemporaryDirectory(configDirectory))
  let child: ChildProcessByStdio<null, Readable, Readable> | undefined
  const launch = async (listen: string) => {
    child = spawnWeirBroker(['--listen', listen, '--data-dir', dataDirectory], configPath)
    return listeningAddress(child)
  }
  try {
    let address = await launch('127.0.0.1:0')
    return {
      get address() {
        return address
      },
      get pid() {
        return child!.pid!
      },
      dataDirectory,
      async restart() {
        await stopChild(child!)
        const started = performance.now()
        // The same port, so the clients of the row reconnect to the address they know.
        address = await launch(address)
        return secondsSince(started)
      },
      stopProcess: () => stopChild(child!),
      stop: () => stopChild(child!).finally(removeDirectories),
    }
  } catch (error) {
    if (child !== undefined) await stopChild(child)
    await removeDirectories()
    throw error
  }
}

/** The address from the broker's "listening on" line; its log keeps draining so it never blocks. */
function listeningAddress(child: ChildProcessByStdio<null, Readable, Readable>): Promise<string> {
  const stderr: string[] = []
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')))
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout })
    const fail = (reason: string) => {
      clearTimeout(timer)
      lines.close()
      reject(
        new Error(
          `weir broker did not start: ${reason}. Run \`pnpm build\` first. stderr: ${stderr.join('')}`,
        ),
      )
    }
    const timer = setTimeout(
      () => fail(`no "listening on" line within ${listenTimeoutMs} ms`),
      listenTimeoutMs,
    )
    const onExit = (code: number | null, signal: string | null) => fail(`exited with ${code ?? signal}`)
    child.once('exit', onExit)
    lines.on('line', (line) => {
      const match = /listening on (\d+\.\d+\.\d+\.\d+:\d+)/.exec(line)
      if (!match) return
      clearTimeout(timer)
      child.removeListener('exit', onExit)
      lines.removeAllListeners('line')
      lines.close()
      // Closing the reader paused stdout: a full pipe would stall the broker's logging.
      child.stdout.resume()
      child.stderr.resume()
      resolve(match[1]!)
    })
  })
}
