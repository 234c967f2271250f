// `weir consume TOPIC`: prints messages as they arrive, one per line: the value as text, or with
// --format json an object with key, partition, offset, timestamp, headers and value.
import { codecs, defineTopic, type Message } from '@weir/client'
import { bootstrapHelp, connect, parseCommand, runCommand } from './client-flags.js'
import type { Command } from './command.js'
import { exitCodes } from './command.js'
import { UsageError } from './flags.js'
import { integerFlag } from './numeric-flags.js'

const help = `Usage: weir consume TOPIC [--from-beginning] [--max-messages N] [--partition P] [--offset O] [--format text|json]

Prints messages of TOPIC until Ctrl-C, or until --max-messages have been printed.
Without --from-beginning it starts at the end and prints only new messages.

Flags:
  --from-beginning        start at the oldest stored message of every partition
  --max-messages N        exit after N messages
  --partition P           read only partition P
  --offset O              start partition P at offset O (needs --partition)
  --format FORMAT         text (the value, default) or json (key, partition, offset, timestamp, headers, value)
${bootstrapHelp}
`

const flagOptions = {
  'from-beginning': { type: 'boolean' },
  'max-messages': { type: 'string' },
  partition: { type: 'string' },
  offset: { type: 'string' },
  format: { type: 'string' },
} as const

export const consumeCommand: Command = {
  summary:
    'print messages of a topic (--from-beginning, --max-messages, --partition, --offset, --format json)',
  run: (argv) =>
    runCommand('consume', help, async () => {
      const { values, positionals } = parseCommand(argv, flagOptions)
      if (values.help) {
        process.stdout.write(help)
        return exitCodes.ok
      }
      if (positionals.length !== 1) throw new UsageError('expected exactly one TOPIC')
      const format = values.format ?? 'text'
      if (format !== 'text' && format !== 'json')
        throw new UsageError(`--format must be text or json, got ${format}`)
      const maxMessages = integerFlag(values['max-messages'], '--max-messages')
      const partition = integerFlag(values.partition, '--partition')
      const offset = integerFlag(values.offset, '--offset')
      if (offset !== undefined && partition === undefined) throw new UsageError('--offset needs --partition')
      const topic = defineTopic<Buffer>({ name: positionals[0]!, codec: codecs.raw })
      const client = connect(values, 'weir-cli')
      const consumer = client.consumer({ topics: [topic], fromBeginning: values['from-beginning'] ?? false })
      const stop = () => void consumer.close()
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
      let printed = 0
      try {
        await consumer.ready()
        if (partition !== undefined) {
          const assigned = consumer.assignment()
          if (!assigned.some((entry) => entry.partition === partition)) {
            throw new UsageError(
              `topic ${topic.name} has no partition ${partition} (it has ${assigned.length})`,
            )
          }
          consumer.pause(assigned.filter((entry) => entry.partition !== partition))
          if (offset !== undefined) consumer.seek({ topic: topic.name, partition, offset })
        }
        for await (const message of consumer) {
          if (partition !== undefined && message.partition !== partition) continue
          process.stdout.write(`${format === 'json' ? asJson(message) : message.value.toString('utf8')}\n`)
          if (++printed === maxMessages) break
        }
      } finally {
        process.off('SIGINT', stop)
        process.off('SIGTERM', stop)
        await consumer.close()
        await client.close()
      }
      return exitCodes.ok
    }),
}

function asJson(message: Message<Buffer>): string {
  return JSON.stringify({
    topic: message.topic,
    partition: message.partition,
    offset: message.offset,
    timestamp: message.timestamp,
    key: message.key,
    headers: message.headers,
    value: message.value.toString('utf8'),
  })
}
