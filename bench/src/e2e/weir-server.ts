// A Weir broker in its own process, started through the `weir` CLI built from this checkout, as a
// user runs it: the benchmark's client never shares an event loop with the broker it measures.
import { type ChildProcess, type ChildProcessByStdio, spawn } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import type { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import {
  makeTemporaryDirectory,
  removeTemporaryDirectory,
  stopChild,
  trackChild,
} from '../servers/child-processes.js'

export const weirCliPath = fileURLToPath(new URL('../../../packages/cli/dist/main.js', import.meta.url))
const startTimeoutMs = 20_000

export interface RunningServer {
  /** host:port for the client's `brokers`. */
  readonly address: string
  /** The broker's --data-dir (removed by stop): where a benchmark reads segment sizes. */
  readonly dataDir: string
  stop(): Promise<void>
}

/** Broker settings the benchmarks change from the defaults, written to a weir.json for --config. */
export interface WeirServerConfig {
  readonly groups?: { readonly limits?: { readonly initialRebalanceDelayMs?: number } }
}

export async function startWeirServer(
  config: WeirServerConfig = {},
  extraArgs: readonly string[] = [],
): Promise<RunningServer> {
  const dataDir = await makeTemporaryDirectory()
  const configDir = await makeTemporaryDirectory()
  const configPath = join(configDir, 'weir.json')
  await writeFile(configPath, JSON.stringify(config))
  const removeDirectories = () =>
    removeTemporaryDirectory(dataDir).finally(() => removeTemporaryDirectory(configDir))
  const child = spawnWeirBroker(['--listen', '127.0.0.1:0', '--data-dir', dataDir, ...extraArgs], configPath)
  const stderr: string[] = []
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')))
  try {
    const address = await listeningAddress(child, stderr)
    return {
      address,
      dataDir,
      stop: () => stopChild(child).finally(removeDirectories),
    }
  } catch (error) {
    await stopChild(child)
    await removeDirectories()
    throw error
  }
}

/**
 * Starts `weir broker` from this checkout's CLI with `args`, log level info and the settings in
 * `configPath`; stdout and stderr are piped. The child is tracked, so it dies with this process.
 */
export function spawnWeirBroker(
  args: readonly string[],
  configPath: string,
): ChildProcessByStdio<null, Readable, Readable> {
  const child = spawn(
    process.execPath,
    [weirCliPath, 'broker', ...args, '--log-level', 'info', '--config', configPath],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  trackChild(child)
  return child
}

function listeningAddress(child: ChildProcess, stderr: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(`no "listening on" line within ${startTimeoutMs} ms`), startTimeoutMs)
    const lines = createInterface({ input: child.stdout! })
    const fail = (reason: string) => {
      clearTimeout(timer)
      lines.close()
      reject(
        new Error(
          `weir broker did not start: ${reason}. Run \`pnpm build\` first. stderr: ${stderr.join('')}`,
        ),
      )
    }
    lines.on('line', (line) => {
      const match = /listening on (\d+\.\d+\.\d+\.\d+:\d+)/.exec(line)
      if (!match) return
      clearTimeout(timer)
      lines.removeAllListeners('line')
      child.stdout!.resume()
      resolve(match[1]!)
    })
    child.once('exit', (code, signal) => fail(`exited with ${code ?? signal}`))
  })
}
