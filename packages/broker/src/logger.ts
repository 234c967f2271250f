// The broker's own pino logger: human-readable when stdout is a terminal and the optional
// pino-pretty is installed, one JSON object per line otherwise (files, pipes, log shippers, and
// installs without optional dependencies). Writes are synchronous so the last lines before an exit
// or a crash are not lost in a buffer.
import { createRequire } from 'node:module'
import pino, { type Logger } from 'pino'
import type { LogLevel } from './options.js'

type Destination = typeof process.stdout | typeof process.stderr
type PrettyOptions = {
  colorize: boolean
  sync: boolean
  destination: Destination
  ignore: string
  translateTime: string
}
type Pretty = (options: PrettyOptions) => NodeJS.WritableStream

// pino-pretty is an optionalDependency: a production install (`--omit=optional`, the Docker image)
// leaves it out, and the broker must still start. It is CommonJS, so require loads it synchronously
// and createLogger stays synchronous.
const require = createRequire(import.meta.url)

function loadPretty(): Pretty | undefined {
  try {
    return require('pino-pretty') as Pretty
  } catch {
    return undefined
  }
}

export function createLogger(level: LogLevel, destination: Destination = process.stdout): Logger {
  const options = { level, base: { broker: 'weir' } }
  const pretty = destination.isTTY ? loadPretty() : undefined
  if (pretty !== undefined) {
    return pino(
      options,
      pretty({
        colorize: true,
        sync: true,
        destination,
        ignore: 'pid,hostname,broker',
        translateTime: 'SYS:HH:MM:ss.l',
      }),
    )
  }
  return pino(options, pino.destination({ dest: destination.fd, sync: true }))
}
