// The `weir` binary as a user runs it, for the CLI tests: child processes (killed by killChildren),
// a command run to completion with its output, and a broker child whose port is learnt from its log.
import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

// The binary as installed: the workspace link to @weir/cli, built by turbo before tests run.
const cliPath = fileURLToPath(new URL('../../node_modules/@weir/cli/dist/main.js', import.meta.url))
const children = new Set<ChildProcess>()

export function spawnCli(args: readonly string[]): ChildProcess {
  const child = spawn(process.execPath, [cliPath, ...args], { stdio: ['pipe', 'pipe', 'pipe'] })
  children.add(child)
  child.once('exit', () => children.delete(child))
  return child
}

export async function run(
  args: readonly string[],
  stdin = '',
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawnCli(args)
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')))
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
  child.stdin!.end(stdin)
  const code = await new Promise<number | null>((resolve) =>
    child.once('exit', (exitCode) => resolve(exitCode)),
  )
  return { code, stdout, stderr }
}

/** Starts `weir broker` on a free port; resolves with the child and its host:port. */
export async function startBrokerChild(
  dataDir: string,
  extraArgs: readonly string[] = [],
): Promise<{ child: ChildProcess; bootstrap: string }> {
  const child = spawnCli([
    'broker',
    '--listen',
    '127.0.0.1:0',
    '--data-dir',
    dataDir,
    '--log-level',
    'info',
    ...extraArgs,
  ])
  let output = ''
  const bootstrap = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8')
      const match = /listening on (127\.0\.0\.1:\d+)/.exec(output)
      if (match) resolve(match[1]!)
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.once('exit', (code) => reject(new Error(`broker exited with ${code}:\n${output}`)))
  })
  return { child, bootstrap }
}

export function killChildren(): void {
  for (const child of children) child.kill('SIGKILL')
}
