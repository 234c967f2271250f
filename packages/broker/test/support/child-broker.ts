// Runs a broker as a child process (test/support/broker-main.ts under tsx, so it runs src/ as it
// is) and learns its port from the "listening on HOST:PORT" log line. Every child started here is
// killed by killChildren(). The `weir` binary itself is tested in @weir/cli.
import { type ChildProcess, spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

export const packageDirectory = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const brokerMain = join(packageDirectory, 'test', 'support', 'broker-main.ts')
const tsxLoader = pathToFileURL(createRequire(join(packageDirectory, 'package.json')).resolve('tsx')).href

const children = new Set<ChildProcess>()

export interface ChildBroker {
  readonly child: ChildProcess
  readonly port: number
  /** Everything the child wrote to stdout and stderr so far. */
  output(): string
}

export async function startChildBroker(dataDir: string): Promise<ChildBroker> {
  const child = spawn(process.execPath, ['--import', tsxLoader, brokerMain, '127.0.0.1:0', dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    // As the `weir` binary does: fsyncs of many partitions need more than libuv's default 4 threads.
    env: { ...process.env, UV_THREADPOOL_SIZE: process.env.UV_THREADPOOL_SIZE ?? '16' },
  })
  children.add(child)
  child.once('exit', () => children.delete(child))
  let output = ''
  const port = await new Promise<number>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8')
      const match = /listening on 127\.0\.0\.1:(\d+)/.exec(output)
      if (match) resolve(Number(match[1]))
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.once('exit', (code) => reject(new Error(`broker exited with ${code} before listening:\n${output}`)))
  })
  return { child, port, output: () => output }
}

export function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode })
  }
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
}

export async function killChildren(): Promise<void> {
  await Promise.all(
    [...children].map((child) => {
      child.kill('SIGKILL')
      return exited(child)
    }),
  )
}
