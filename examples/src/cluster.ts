// Starts a three-broker Weir cluster on this machine for trying replication out: brokers 1, 2
// and 3 take clients on 127.0.0.1:7171-7173 (--base-port to move them) and each other on peer
// ports 7181-7183, data in ./data/cluster/<id> (--data-dir), each broker's log lines prefixed with
// its id. The brokers authenticate each other with a cluster secret, generated once into
// <data-dir>/cluster.secret (kept across runs). Ctrl-C stops all three cleanly and exits 130.
// The brokers run in their own process group: a terminal's Ctrl-C reaches only this process, which
// sends each broker one SIGTERM (they would otherwise get the terminal's SIGINT and then ours).
// Run it with `pnpm cluster` from the repository root; the README's Cluster section shows what
// to try next (an RF 3 topic, killing a leader).
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { isMain } from './orders.js'

export interface ClusterPlan {
  readonly brokers: readonly { id: number; port: number; peerPort: number; dataDir: string }[]
  readonly peers: string
  /** The secret file every broker is given (--cluster-secret-file). */
  readonly secretFile: string
}

/** Peer ports sit this far above client ports, clear of the other brokers' client ports. */
const peerPortOffset = 10

export function planCluster(basePort: number, dataDir: string, size = 3): ClusterPlan {
  const brokers = Array.from({ length: size }, (_, index) => ({
    id: index + 1,
    port: basePort + index,
    peerPort: basePort + peerPortOffset + index,
    dataDir: join(dataDir, String(index + 1)),
  }))
  return {
    brokers,
    peers: brokers.map((broker) => `${broker.id}@127.0.0.1:${broker.port}/${broker.peerPort}`).join(','),
    secretFile: join(dataDir, 'cluster.secret'),
  }
}

/** Writes a random secret to `path` unless one is there (brokers restarted later must share it). */
function ensureSecret(path: string): void {
  if (existsSync(path)) return
  writeFileSync(path, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 })
}

/** One readable line from a broker's JSON log line (pino), or the line itself. */
export function describeLogLine(line: string): string {
  try {
    const entry = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string } }
    const level =
      entry.level !== undefined && entry.level >= 50 ? 'ERROR ' : entry.level === 40 ? 'WARN ' : ''
    return `${level}${entry.msg ?? line}${entry.err?.message ? `: ${entry.err.message}` : ''}`
  } catch {
    return line
  }
}

function startBroker(cli: string, broker: ClusterPlan['brokers'][number], plan: ClusterPlan): ChildProcess {
  mkdirSync(broker.dataDir, { recursive: true })
  const args = ['broker', '--id', String(broker.id), '--listen', `127.0.0.1:${broker.port}`]
  args.push('--data-dir', broker.dataDir, '--peers', plan.peers, '--cluster-secret-file', plan.secretFile)
  // One metrics port each (9172 is the console's default): 9171, 9181, 9191.
  args.push('--metrics-listen', `127.0.0.1:${9171 + 10 * (broker.id - 1)}`)
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  let pending = ''
  const onData = (chunk: Buffer) => {
    pending += chunk.toString('utf8')
    const lines = pending.split('\n')
    pending = lines.pop() ?? ''
    for (const line of lines)
      if (line.trim() !== '') console.log(`[broker ${broker.id}] ${describeLogLine(line)}`)
  }
  child.stdout!.on('data', onData)
  child.stderr!.on('data', onData)
  child.once('exit', (code, signal) => console.log(`[broker ${broker.id}] exited (${code ?? signal})`))
  return child
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'base-port': { type: 'string', default: '7171' },
      'data-dir': { type: 'string', default: 'data/cluster' },
    },
  })
  const basePort = Number(values['base-port'])
  if (!Number.isInteger(basePort) || basePort < 1 || basePort > 65_523) {
    console.error(
      `--base-port must be a port from 1 to 65523 (peer ports are 10 above), got ${values['base-port']}`,
    )
    process.exit(2)
  }
  // INIT_CWD: the directory `pnpm cluster` was run from, so ./data means the user's ./data.
  const dataDir = resolve(process.env.INIT_CWD ?? process.cwd(), values['data-dir']!)
  // The weir binary of this workspace (built by `pnpm cluster` first).
  const cli = fileURLToPath(new URL('../node_modules/@weir/cli/dist/main.js', import.meta.url))
  const plan = planCluster(basePort, dataDir)
  mkdirSync(dataDir, { recursive: true })
  ensureSecret(plan.secretFile)
  console.log(
    `starting brokers ${plan.peers} with data in ${dataDir}, peers authenticated by ${plan.secretFile}`,
  )
  const children = plan.brokers.map((broker) => startBroker(cli, broker, plan))
  console.log(
    [
      '',
      'Try it (in another terminal):',
      `  pnpm exec weir topics create orders --partitions 3 --replication-factor 3 --bootstrap 127.0.0.1:${basePort}`,
      `  seq 1 1000 | pnpm exec weir produce orders --bootstrap 127.0.0.1:${basePort}`,
      `  pnpm exec weir topics describe orders --bootstrap 127.0.0.1:${basePort + 1}   # leaders and replicas`,
      '  then stop one broker (kill -9 its pid) and produce again: a new leader takes over within ~2 s.',
      'Ctrl-C stops the cluster.',
      '',
    ].join('\n'),
  )
  const exits = children.map((child) => new Promise((done) => child.once('exit', done)))
  // Should this process die some other way, its detached brokers must not outlive it.
  process.once('exit', () => {
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })
  let stoppedBy: NodeJS.Signals | undefined
  const stop = (signal: NodeJS.Signals) => {
    if (stoppedBy !== undefined) return
    stoppedBy = signal
    console.log('stopping the cluster')
    for (const child of children) child.kill('SIGTERM')
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
  await Promise.all(exits)
  // The shell convention for "stopped by a signal": 128 + its number (130 for Ctrl-C).
  process.exitCode = stoppedBy === undefined ? 1 : 128 + (stoppedBy === 'SIGINT' ? 2 : 15)
}

if (isMain(import.meta.url)) await main()
