// redis-server from the Debian package, on 127.0.0.1 with its data in a temp directory and the
// append-only file on: the configuration in which Redis Streams are durable at all.
import { spawn } from 'node:child_process'
import {
  findExecutable,
  firstOutputLine,
  freePort,
  makeTemporaryDirectory,
  removeTemporaryDirectory,
  stopChild,
  trackChild,
  waitForReadyLine,
} from './child-processes.js'
import type { RunningServer, ServerAvailability } from './server.js'

export type RedisAppendFsync = 'always' | 'everysec'

export const redisPackage = 'redis-server'

export async function findRedis(): Promise<ServerAvailability> {
  const executable = await findExecutable('redis-server')
  if (executable === undefined) {
    return {
      available: false,
      reason: `redis-server not found: install the Debian package with \`apt-get install -y ${redisPackage}\``,
    }
  }
  // "Redis server v=7.0.15 sha=... malloc=... bits=64 build=..."
  const version = await firstOutputLine(executable, ['--version'])
  return { available: true, executable, version }
}

export async function startRedis(executable: string, appendFsync: RedisAppendFsync): Promise<RunningServer> {
  const directory = await makeTemporaryDirectory()
  const port = await freePort()
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    directory,
    '--appendonly',
    'yes',
    '--appendfsync',
    appendFsync,
    // No RDB snapshots: the append-only file is the durability being measured, and a snapshot's
    // fork would compete with the workload for the machine's two cores.
    '--save',
    '',
    // No automatic AOF rewrite mid-run either, for the same reason: Redis at its best. A
    // long-running deployment pays for the rewrite later.
    '--auto-aof-rewrite-percentage',
    '0',
    '--daemonize',
    'no',
    '--loglevel',
    'notice',
  ]
  const child = spawn(executable, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  trackChild(child)
  try {
    await waitForReadyLine(child, /Ready to accept connections/, 'redis-server')
  } catch (error) {
    await stopChild(child)
    await removeTemporaryDirectory(directory)
    throw error
  }
  return {
    host: '127.0.0.1',
    port,
    stop: async () => {
      await stopChild(child)
      await removeTemporaryDirectory(directory)
    },
  }
}
