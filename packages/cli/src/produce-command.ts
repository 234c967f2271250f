// `weir produce TOPIC`: every stdin line becomes one message (value as UTF-8 text), optionally
// keyed; prints a summary with count and rate at the end. Reads stdin as a stream, so a pipe of
// millions of lines runs in bounded memory (the producer's buffer applies backpressure).
import { createInterface } from 'node:readline'
import { codecs, defineTopic } from '@weir/client'
import { bootstrapHelp, connect, parseCommand, runCommand } from './client-flags.js'
import type { Command } from './command.js'
import { exitCodes } from './command.js'
import { UsageError } from './flags.js'

const help = `Usage: weir produce TOPIC [--key K] [--key-separator SEP] [--acks all|leader|none]
                    [--compression none|gzip|snappy|lz4|zstd]

Sends each line of stdin as a message to TOPIC and prints how many were sent and how fast.

Flags:
  --key K                 key for every message (messages with one key keep their order)
  --key-separator SEP     split each line at the first SEP into key and value, e.g. --key-separator :
  --acks MODE             all (default), leader or none
  --compression CODEC     none (default), gzip, snappy, lz4 or zstd: how each batch is compressed
${bootstrapHelp}
`

const flagOptions = {
  key: { type: 'string' },
  'key-separator': { type: 'string' },
  acks: { type: 'string' },
  compression: { type: 'string' },
} as const

const compressionNames = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const
type CompressionFlag = (typeof compressionNames)[number]

function compressionOf(value: string | undefined): CompressionFlag {
  const chosen = value ?? 'none'
  if (!(compressionNames as readonly string[]).includes(chosen)) {
    throw new UsageError(`--compression must be one of ${compressionNames.join(', ')}, got ${chosen}`)
  }
  return chosen as CompressionFlag
}

/** Sends awaited together: bounds memory for promises while keeping the producer's batches full. */
const windowMessages = 10_000

export const produceCommand: Command = {
  summary: 'send stdin lines as messages to a topic (--key, --key-separator)',
  run: (argv) =>
    runCommand('produce', help, async () => {
      const { values, positionals } = parseCommand(argv, flagOptions)
      if (values.help) {
        process.stdout.write(help)
        return exitCodes.ok
      }
      if (positionals.length !== 1) throw new UsageError('expected exactly one TOPIC')
      const acks = values.acks ?? 'all'
      if (acks !== 'all' && acks !== 'leader' && acks !== 'none')
        throw new UsageError(`--acks must be all, leader or none, got ${acks}`)
      const compression = compressionOf(values.compression)
      const separator = values['key-separator']
      if (separator === '') throw new UsageError('--key-separator must not be empty')
      const topic = defineTopic<string>({ name: positionals[0]!, codec: codecs.string })
      const client = connect(values, 'weir-cli')
      const producer = client.producer({ acks, compression })
      const started = performance.now()
      let sent = 0
      try {
        await client.admin().describeTopic(topic.name)
        let window: Promise<unknown>[] = []
        for await (const line of createInterface({
          input: process.stdin,
          crlfDelay: Number.POSITIVE_INFINITY,
        })) {
          let key = values.key ?? null
          let value = line
          if (separator !== undefined) {
            const at = line.indexOf(separator)
            if (at >= 0) {
              key = line.slice(0, at)
              value = line.slice(at + separator.length)
            }
          }
          window.push(producer.send({ topic, key, value }))
          sent++
          if (window.length === windowMessages) {
            await Promise.all(window)
            window = []
          }
        }
        await Promise.all(window)
        await producer.flush()
      } finally {
        await producer.close()
        await client.close()
      }
      const seconds = (performance.now() - started) / 1000
      const rate = seconds > 0 ? Math.round(sent / seconds) : sent
      process.stderr.write(
        `sent ${sent} message(s) to ${topic.name} in ${seconds.toFixed(2)} s (${rate} msg/s)\n`,
      )
      return exitCodes.ok
    }),
}
