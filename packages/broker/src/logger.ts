// The broker's own pino logger: human-readable (pino-pretty) when stdout is a terminal, one JSON
// object per line otherwise (files, pipes, log shippers). Writes are synchronous so the last
// lines before an exit or a crash are not lost in a buffer.
import pino, { type Logger } from 'pino'
import pretty from 'pino-pretty'
import type { LogLevel } from './options.js'

export function createLogger(
  level: LogLevel,
  destination: typeof process.stdout | typeof process.stderr = process.stdout,
): Logger {
  const options = { level, base: { broker: 'weir' } }
  if (destination.isTTY) {
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
