// `weir produce TOPIC [VALUE...]`: each VALUE, or else every stdin line, becomes one message, with
// a key (--key, or -K splitting each line), headers (-H), a timestamp and a partition if asked,
// the typed text read in --key-format / --value-format; prints a summary with count and rate at
// the end. Reads stdin as a stream, so a pipe of millions of lines runs in bounded memory (the
// producer's buffer applies backpressure). Ctrl-C stops reading, sends what was read, exits 130.
import { createInterface } from 'node:readline'
import { codecs, defineTopic, isWeirError, type PartitionerName, WeirError } from '@weir/client'
import { bootstrapHelp, connect, parseCommand, runCommand } from './client-flags.js'
import type { Command } from './command.js'
import { exitCodes } from './command.js'
import { UsageError } from './flags.js'
import { interruptedExitCode, onInterrupt } from './interrupt.js'
import { integerFlag } from './numeric-flags.js'
import { parseHeaders, parseTimestampFlag, splitLine } from './produce-input.js'
import { encodeText, keyValueFormats, type RecordFormat, recordFormats } from './record-format.js'

const help = `Usage: weir produce TOPIC [VALUE...] [-k KEY | -K DELIM] [-H key=value]... [--timestamp MS]
                    [--partition P] [--format F] [--key-format F] [--value-format F]
                    [--acks all|leader|none] [--compression none|gzip|snappy|lz4|zstd]
                    [--partitioner murmur3|kafka-murmur2|round-robin]

Sends each VALUE argument, or without any each line of stdin, as a message to TOPIC and prints
how many were sent and how fast. Ctrl-C stops reading stdin, sends what was read, exits 130.

Flags:
  -k, --key KEY           key for every message (messages with one key keep their order)
  -K, --key-separator SEP split each line at the first SEP into key and value, e.g. -K :
                          (a line without SEP is sent with --key, or no key)
  -H, --header KEY=VALUE  a header on every message; repeat for more
  --timestamp MS          the messages' timestamp: ms since the epoch or an ISO datetime (default now)
  -p, --partition P       send to partition P (default: by the key's hash, see --partitioner; no key: sticky)
  --partitioner NAME      how keys pick a partition: murmur3 (default, Weir's clients), kafka-murmur2
                          (as KafkaJS and the Java client do: for topics Kafka clients also write)
                          or round-robin (keys ignored)
  --format F              how keys and values are typed: ${recordFormats.join(', ')} (default text)
  --key-format F          the key's format, overriding --format
  --value-format F        the value's format, overriding --format
                          text: UTF-8 as typed; json: checked JSON; msgpack: JSON typed, stored as
                          msgpack; hex / base64: the bytes in that encoding
  --acks MODE             all (default), leader or none
  --compression CODEC     none (default), gzip, snappy, lz4 or zstd: how each batch is compressed
${bootstrapHelp}
`

const flagOptions = {
  key: { type: 'string', short: 'k' },
  'key-separator': { type: 'string', short: 'K' },
  header: { type: 'string', short: 'H', multiple: true },
  timestamp: { type: 'string' },
  partition: { type: 'string', short: 'p' },
  format: { type: 'string' },
  'key-format': { type: 'string' },
  'value-format': { type: 'string' },
  acks: { type: 'string' },
  compression: { type: 'string' },
  partitioner: { type: 'string' },
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

const partitionerNames = [
  'murmur3',
  'kafka-murmur2',
  'round-robin',
] as const satisfies readonly PartitionerName[]
type PartitionerFlag = (typeof partitionerNames)[number]

function partitionerOf(value: string | undefined): PartitionerFlag {
  const chosen = value ?? 'murmur3'
  if (!(partitionerNames as readonly string[]).includes(chosen)) {
    throw new UsageError(`--partitioner must be one of ${partitionerNames.join(', ')}, got ${chosen}`)
  }
  return chosen as PartitionerFlag
}

/** Sends awaited together: bounds memory for promises while keeping the producer's batches full. */
const windowMessages = 10_000

interface RecordShape {
  readonly formats: { readonly key: RecordFormat; readonly value: RecordFormat }
  readonly defaultKey: string | undefined
  readonly separator: string | undefined
  readonly headers: Record<string, string> | undefined
  readonly timestamp: number | undefined
  readonly partition: number | undefined
}

export const produceCommand: Command = {
  summary: 'send arguments or stdin lines as messages (-k, -K, -H, --timestamp, --format)',
  run: (argv) =>
    runCommand('produce', help, async () => {
      const { values, positionals } = parseCommand(argv, flagOptions)
      if (values.help) {
        process.stdout.write(help)
        return exitCodes.ok
      }
      if (positionals.length < 1) throw new UsageError('expected a TOPIC')
      const acks = values.acks ?? 'all'
      if (acks !== 'all' && acks !== 'leader' && acks !== 'none')
        throw new UsageError(`--acks must be all, leader or none, got ${acks}`)
      const compression = compressionOf(values.compression)
      const partitioner = partitionerOf(values.partitioner)
      const separator = values['key-separator']
      if (separator === '') throw new UsageError('--key-separator must not be empty')
      const shape: RecordShape = {
        formats: keyValueFormats(values),
        defaultKey: values.key,
        separator,
        headers: parseHeaders(values.header),
        timestamp: parseTimestampFlag(values.timestamp),
        partition: integerFlag(values.partition, '--partition'),
      }
      const [topicName, ...args] = positionals as [string, ...string[]]
      const topic = defineTopic<Buffer>({ name: topicName, codec: codecs.raw })
      const client = connect(values, 'weir-cli')
      const producer = client.producer({ acks, compression, partitioner })
      // Made once the topic is known: readline drops lines read before its iterator exists.
      let input: ReturnType<typeof createInterface> | undefined
      let stopped = false
      const interrupt = onInterrupt(() => {
        stopped = true
        input?.close()
      })
      const started = performance.now()
      let sent = 0
      try {
        const description = await client.admin().describeTopic(topic.name)
        if (shape.partition !== undefined && shape.partition >= description.partitions.length)
          throw new WeirError(
            'UNKNOWN_PARTITION',
            `topic ${topic.name} has no partition ${shape.partition} (it has ${description.partitions.length}): pick one below that, or leave --partition out`,
          )
        if (args.length === 0 && !stopped)
          input = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY })
        let window: Promise<unknown>[] = []
        for await (const line of input ?? (stopped ? [] : args)) {
          window.push(producer.send({ topic, ...messageOf(line, shape, sent + 1) }))
          sent++
          if (window.length === windowMessages) {
            await Promise.all(window)
            window = []
          }
        }
        await Promise.all(window)
        await producer.flush()
      } catch (error) {
        throw isWeirError(error) && error.code === 'UNKNOWN_TOPIC' ? unknownTopic(topic.name) : error
      } finally {
        interrupt.dispose()
        input?.close()
        await producer.close()
        await client.close()
      }
      const seconds = (performance.now() - started) / 1000
      const rate = seconds > 0 ? Math.round(sent / seconds) : sent
      process.stderr.write(
        `sent ${sent} message(s) to ${topic.name} in ${seconds.toFixed(2)} s (${rate} msg/s)\n`,
      )
      return interrupt.interrupted ? interruptedExitCode : exitCodes.ok
    }),
}

function messageOf(line: string, shape: RecordShape, number: number) {
  const { key, value } = splitLine(line, shape.separator, shape.defaultKey)
  return {
    key: key === undefined ? null : encodeText(shape.formats.key, key, `the key of message ${number}`),
    value: encodeText(shape.formats.value, value, `the value of message ${number}`),
    ...(shape.headers === undefined ? {} : { headers: shape.headers }),
    ...(shape.timestamp === undefined ? {} : { timestamp: shape.timestamp }),
    ...(shape.partition === undefined ? {} : { partition: shape.partition }),
  }
}

export function unknownTopic(name: string): WeirError {
  return new WeirError(
    'UNKNOWN_TOPIC',
    `topic ${name} does not exist: check the name with \`weir topics list\`, or create it with \`weir topics create ${name} --partitions N\``,
  )
}
