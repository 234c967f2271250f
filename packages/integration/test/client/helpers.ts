// Shared helpers for integration tests: a real in-process broker on 127.0.0.1 port 0 with a temp data directory.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Broker } from '@weir/broker'
import type { Consumer, Message } from '@weir/client'

export interface RunningBroker {
  broker: Broker
  dataDir: string
  address: string
}

const directories: string[] = []

export async function startBroker(dataDir?: string, listen = '127.0.0.1:0'): Promise<RunningBroker> {
  const directory = dataDir ?? mkdtempSync(join(tmpdir(), 'weir-client-'))
  if (dataDir === undefined) directories.push(directory)
  const broker = await Broker.start({ dataDir: directory, listen, logLevel: 'silent' })
  return { broker, dataDir: directory, address: `${broker.address.host}:${broker.address.port}` }
}

export function removeDataDirectories(): void {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true })
}

/** Takes `count` messages, or fails after `timeoutMs` with how many came. */
export async function take<T>(
  consumer: Consumer<T>,
  count: number,
  timeoutMs = 10_000,
): Promise<Message<T>[]> {
  const taken: Message<T>[] = []
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    void consumer.close()
  }, timeoutMs)
  for await (const message of consumer) {
    taken.push(message)
    if (taken.length === count) break
  }
  clearTimeout(timer)
  if (timedOut) throw new Error(`took ${taken.length} of ${count} messages in ${timeoutMs} ms`)
  return taken
}
