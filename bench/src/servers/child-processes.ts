// Server processes and temp directories the benchmark starts, tracked in one place so that a run
// that ends early (an exception, Ctrl-C, a kill of the parent) leaves no server and no data behind.
import { type ChildProcess, execFile } from 'node:child_process'
import { constants, rmSync } from 'node:fs'
import { access, mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { createInterface } from 'node:readline'
import { temporaryPrefix } from '../temporary-directory.js'

const children = new Set<ChildProcess>()
const directories = new Set<string>()
let handlersInstalled = false

/** A SIGTERM that is not obeyed within this long becomes a SIGKILL. */
export const stopTimeoutMs = 10_000
/** A server that has not said it is ready within this long is killed and reported. */
export const startTimeoutMs = 20_000

function killEverything(): void {
  for (const child of children) child.kill('SIGKILL')
  for (const directory of directories) rmSync(directory, { recursive: true, force: true })
}

function installHandlers(): void {
  if (handlersInstalled) return
  handlersInstalled = true
  // 'exit' handlers must be synchronous: kill and delete without waiting.
  process.once('exit', killEverything)
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killEverything()
      process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1))
    })
  }
}

/** Kills `child` when this process exits or is interrupted, unless it was stopped before. */
export function trackChild(child: ChildProcess): void {
  installHandlers()
  children.add(child)
  child.once('exit', () => children.delete(child))
}

/** A fresh `weir-bench-*` directory in the OS temp directory, deleted at exit if still there. */
export async function makeTemporaryDirectory(): Promise<string> {
  installHandlers()
  const directory = await mkdtemp(join(tmpdir(), temporaryPrefix))
  directories.add(directory)
  return directory
}

export async function removeTemporaryDirectory(directory: string): Promise<void> {
  await rm(directory, { recursive: true, force: true })
  directories.delete(directory)
}

/** SIGTERM, then SIGKILL after stopTimeoutMs; resolves once the process has exited. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs)
  await exited
  clearTimeout(timer)
}

/**
 * A port that was free a moment ago on 127.0.0.1: bound with port 0, then released for the server
 * that needs an explicit port (redis-server and nats-server take no port 0 they would report back).
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      if (address === null || typeof address === 'string') throw new Error('no TCP address for port 0')
      server.close(() => resolve(address.port))
    })
  })
}

/** The first executable named `name` on PATH or in `extraDirectories` (Debian puts nats-server in /usr/sbin). */
export async function findExecutable(
  name: string,
  extraDirectories: readonly string[] = ['/usr/sbin', '/usr/bin', '/usr/local/bin'],
): Promise<string | undefined> {
  const path = (process.env.PATH ?? '').split(delimiter).filter((entry) => entry !== '')
  for (const directory of [...path, ...extraDirectories]) {
    const candidate = join(directory, name)
    try {
      await access(candidate, constants.X_OK)
      return candidate
    } catch {
      // Not here: try the next directory.
    }
  }
  return undefined
}

/** The first line of `executable args` (stdout or stderr), e.g. a version banner. */
export function firstOutputLine(executable: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(executable, args, { timeout: 10_000 }, (error, stdout, stderr) => {
      if (error) reject(error)
      else resolve(`${stdout}${stderr}`.split('\n')[0]!.trim())
    })
  })
}

/**
 * Resolves once `child` prints a line matching `ready` on stdout or stderr, with the match; rejects
 * when it exits first or stays silent for startTimeoutMs. Output is kept for the error message.
 */
export function waitForReadyLine(child: ChildProcess, ready: RegExp, name: string): Promise<RegExpExecArray> {
  const output: string[] = []
  const outputLinesMax = 50
  return new Promise((resolve, reject) => {
    const readers = [child.stdout, child.stderr]
      .filter((stream) => stream !== null)
      .map((stream) => createInterface({ input: stream }))
    const finish = () => {
      clearTimeout(timer)
      child.removeListener('exit', onExit)
      for (const reader of readers) {
        reader.removeAllListeners('line')
        reader.close()
      }
      // Keep draining so a chatty server never blocks on a full pipe.
      child.stdout?.resume()
      child.stderr?.resume()
    }
    const fail = (reason: string) => {
      finish()
      reject(new Error(`${name} did not start: ${reason}. Its output:\n${output.join('\n')}`))
    }
    const onExit = (code: number | null, signal: string | null) => fail(`exited with ${code ?? signal}`)
    const timer = setTimeout(() => fail(`no ready line within ${startTimeoutMs} ms`), startTimeoutMs)
    child.once('exit', onExit)
    for (const reader of readers) {
      reader.on('line', (line) => {
        if (output.length < outputLinesMax) output.push(line)
        const match = ready.exec(line)
        if (!match) return
        finish()
        resolve(match)
      })
    }
  })
}
