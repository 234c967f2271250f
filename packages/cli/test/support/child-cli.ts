// Runs the real `weir` binary (dist/main.js) as a child process and learns a broker child's port
// from its "listening on HOST:PORT" log line. Every child started here is killed by killChildren();
// every directory made by temporaryDirectory() is removed by removeTemporaryDirectories().
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const packageDirectory = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const cliPath = join(packageDirectory, 'dist', 'main.js')

const children = new Set<ChildProcess>()
const directories: string[] = []

/** Brings dist/ up to date with src/ (incremental, fast when nothing changed) so the child runs this code. */
export function buildCli(): void {
  execFileSync(process.execPath, [join(packageDirectory, 'node_modules', 'typescript', 'bin', 'tsc'), '-b'], {
    cwd: packageDirectory,
    stdio: 'inherit',
  })
}

export function temporaryDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'weir-cli-'))
  directories.push(directory)
  return directory
}

export function removeTemporaryDirectories(): void {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true })
}

export interface ChildBroker {
  readonly child: ChildProcess
  readonly port: number
  /** Everything the child wrote to stdout and stderr so far. */
  output(): string
}

/** Spawns the binary; `initCwd` stands for the directory pnpm was run from (unset by default). */
export function runCli(args: readonly string[], options: { initCwd?: string } = {}): ChildProcess {
  const child = spawn(process.execPath, [cliPath, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, INIT_CWD: options.initCwd },
  })
  children.add(child)
  child.once('exit', () => children.delete(child))
  return child
}

export async function startChildBroker(
  args: readonly string[],
  options: { initCwd?: string } = {},
): Promise<ChildBroker> {
  const child = runCli(['broker', '--listen', '127.0.0.1:0', ...args], options)
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

/** Runs the CLI to completion; resolves with its exit code and output. */
export async function runToExit(
  args: readonly string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = runCli(args)
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')))
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
  const { code } = await exited(child)
  return { code, stdout, stderr }
}

export async function killChildren(): Promise<void> {
  await Promise.all(
    [...children].map((child) => {
      child.kill('SIGKILL')
      return exited(child)
    }),
  )
}
