// nats-server from the Debian package with JetStream on (file storage in a temp directory), on
// 127.0.0.1 and a free port.
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

export const natsPackage = 'nats-server'

export async function findNats(): Promise<ServerAvailability> {
  const executable = await findExecutable('nats-server')
  if (executable === undefined) {
    return {
      available: false,
      reason: `nats-server not found: install the Debian package with \`apt-get install -y ${natsPackage}\``,
    }
  }
  // "nats-server: v2.9.10"
  const version = await firstOutputLine(executable, ['--version'])
  return { available: true, executable, version }
}

export async function startNats(executable: string): Promise<RunningServer> {
  const directory = await makeTemporaryDirectory()
  const port = await freePort()
  const args = ['-js', '-sd', directory, '-a', '127.0.0.1', '-p', String(port)]
  const child = spawn(executable, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  trackChild(child)
  try {
    await waitForReadyLine(child, /Server is ready/, 'nats-server')
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
