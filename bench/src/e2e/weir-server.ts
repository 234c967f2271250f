// A Weir broker in its own process, started through the `weir` CLI built from this checkout, as a
// user runs it: the benchmark's client never shares an event loop with the broker it measures.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { temporaryPrefix } from '../temporary-directory.js'

const cliPath = fileURLToPath(new URL('../../../packages/broker/dist/cli/main.js', import.meta.url))
const startTimeoutMs = 20_000

export interface RunningServer {
  /** host:port for the client's `brokers`. */
  readonly address: string
  stop(): Promise<void>
}

export async function startWeirServer(): Promise<RunningServer> {
  const dataDir = await mkdtemp(join(tmpdir(), temporaryPrefix))
  const args = [cliPath, 'broker', '--listen', '127.0.0.1:0', '--data-dir', dataDir, '--log-level', 'info']
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  const stderr: string[] = []
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')))
  try {
    const address = await listeningAddress(child, stderr)
    return {
      address,
      stop: () => stopChild(child).finally(() => rm(dataDir, { recursive: true, force: true })),
    }
  } catch (error) {
    await stopChild(child)
    await rm(dataDir, { recursive: true, force: true })
    throw error
  }
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

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
  await exited
  clearTimeout(timer)
}
