// 3,000 slowloris sockets for the attack benchmark, in a child process of their own (so their
// reconnects never share an event loop with the client whose latency is measured): each sends a
// frame length and then one byte a second, never a whole frame, and is reopened when the broker
// closes it. Sources 127.0.0.2-4 so that maxConnectionsPerIp (1000) admits them all.
//   parent: startCrowd(endpoint, count)   child: this file, forked with an IPC channel
import { type ChildProcess, fork } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { trackChild } from '../servers/child-processes.js'
import { type Endpoint, RawConnection } from './raw-connection.js'

type CrowdMessage = { kind: 'ready'; open: number } | { kind: 'open'; open: number }

const sources = ['127.0.0.2', '127.0.0.3', '127.0.0.4']
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export interface Crowd {
  openCount(): Promise<number>
  stop(): Promise<void>
}

/** Forks the crowd and resolves once `count` sockets are open. */
export async function startCrowd(endpoint: Endpoint, count: number, burst: boolean): Promise<Crowd> {
  const tsxLoaderUrl = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href
  const child: ChildProcess = fork(
    fileURLToPath(import.meta.url),
    [endpoint.host, String(endpoint.port), String(count), burst ? 'burst' : 'spread'],
    { execArgv: ['--import', tsxLoaderUrl] },
  )
  trackChild(child)
  const next = (kind: CrowdMessage['kind']) =>
    new Promise<number>((resolve) => {
      const listener = (message: CrowdMessage) => {
        if (message.kind !== kind) return
        child.off('message', listener)
        resolve(message.open)
      }
      child.on('message', listener)
    })
  await next('ready')
  return {
    openCount: () => {
      const answer = next('open')
      child.send('count')
      return answer
    },
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
      }),
  }
}

async function runCrowd(endpoint: Endpoint, count: number, burst: boolean): Promise<void> {
  const sockets = new Set<RawConnection>()
  const prefix = Buffer.alloc(4)
  prefix.writeUInt32BE(1000)
  const open = async (slot: number): Promise<void> => {
    const connection = await RawConnection.open(endpoint, sources[slot % sources.length]).catch(
      () => undefined,
    )
    if (connection === undefined) {
      await pause(100)
      return open(slot)
    }
    sockets.add(connection)
    connection.writeRaw(prefix)
    void connection.closed.then(() => {
      sockets.delete(connection)
      void open(slot)
    })
  }
  for (let slot = 0; slot < count; slot += 100)
    await Promise.all(Array.from({ length: Math.min(100, count - slot) }, (_, index) => open(slot + index)))
  // Each socket's byte at its own moment of the second (a twentieth of them every 50 ms), as
  // independent attackers would; `--burst` writes to all of them in the same tick instead.
  let tick = 0
  const slices = burst ? 1 : 20
  setInterval(() => {
    let index = 0
    for (const connection of sockets) {
      if (index++ % slices === tick % slices && !connection.socket.destroyed)
        connection.writeRaw(Buffer.from([1]))
    }
    tick++
  }, 1000 / slices)
  process.on('message', () => process.send?.({ kind: 'open', open: sockets.size } satisfies CrowdMessage))
  process.send?.({ kind: 'ready', open: sockets.size } satisfies CrowdMessage)
}

if (process.send !== undefined && process.argv[1] === fileURLToPath(import.meta.url)) {
  const [host, port, count, mode] = process.argv.slice(2)
  await runCrowd({ host: host!, port: Number(port) }, Number(count), mode === 'burst')
}
