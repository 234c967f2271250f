// `weir consume TOPIC`: prints messages as they arrive, one per line: the value, or with
// --format json an object with key, partition, offset, timestamp, headers and value, or the
// --template kcat users know. Starts where --offset says (per partition, from ListOffsets), stops
// after --count messages, at the end (-e), or on Ctrl-C (exit 130). With --group it consumes as a
// member of that group and commits what it printed.
import {
  type Client,
  codecs,
  defineTopic,
  type GroupConsumer,
  isWeirError,
  type Message,
  type TopicPartitionOffsets,
} from '@weir/client'
import { bootstrapHelp, connect, parseCommand, runCommand } from './client-flags.js'
import type { Command } from './command.js'
import { exitCodes } from './command.js'
import { UsageError } from './flags.js'
import { interruptedExitCode, onInterrupt } from './interrupt.js'
import { parseTemplate, renderTemplate, type TemplatePart } from './message-template.js'
import { integerFlag } from './numeric-flags.js'
import { unknownTopic } from './produce-command.js'
import {
  bytesAsJsonValue,
  keyValueFormats,
  type RecordFormat,
  recordFormats,
  renderBytes,
} from './record-format.js'
import {
  EndTracker,
  type OffsetFlag,
  parseOffsetFlag,
  type StartOffset,
  startOffsets,
} from './start-offsets.js'

const help = `Usage: weir consume TOPIC [-o OFFSET] [-p P] [-e] [-c N] [-g GROUP]
                    [--format F] [--key-format F] [--value-format F] [-f TEMPLATE]

Prints messages of TOPIC until Ctrl-C (exit 130), --count messages, or with -e the end.

Flags:
  -o, --offset OFFSET     where each partition starts: start, end (default), N (absolute),
                          -N (N before the end), @MS or @ISO-DATETIME (first message at or after it).
                          An offset past a partition's end starts at its end, with a warning on
                          stderr; one before its start starts at its start, likewise
  --from-beginning        the same as --offset start
  -p, --partition P       read only partition P
  -e, --exit              exit once every partition is read up to its end as it was at start
                          (as kcat -e); exits at once when there is nothing to read
  -c, --count N           exit after N messages (also --max-messages N)
  -g, --group GROUP       consume as a member of GROUP: partitions shared with its other members,
                          start at the group's committed offsets (a partition without one starts
                          per --offset: start or end only), printed messages committed
  --format F              how keys and values are printed: ${recordFormats.join(', ')} (default text:
                          the value as UTF-8). json prints each message as a JSON object (topic,
                          partition, offset, timestamp, key, headers, value) with JSON values
                          embedded and other values as strings; msgpack prints the decoded value
                          as JSON; hex and base64 print the bytes in that encoding
  --key-format F          the key's format, overriding --format
  --value-format F        the value's format, overriding --format
  -f, --template T        print each message as T (as kcat -f): %k key, %v value, %o offset,
                          %p partition, %T timestamp (ms), %h headers (k=v,...), %t topic,
                          %K key bytes, %S value bytes, %% a percent sign; \\n \\t \\r \\\\ escapes.
                          Nothing is added: end T with \\n for one message a line
${bootstrapHelp}
`

const flagOptions = {
  'from-beginning': { type: 'boolean' },
  'max-messages': { type: 'string' },
  count: { type: 'string', short: 'c' },
  partition: { type: 'string', short: 'p' },
  offset: { type: 'string', short: 'o' },
  exit: { type: 'boolean', short: 'e' },
  group: { type: 'string', short: 'g' },
  format: { type: 'string' },
  'key-format': { type: 'string' },
  'value-format': { type: 'string' },
  template: { type: 'string', short: 'f' },
} as const

interface Printer {
  readonly key: RecordFormat
  readonly value: RecordFormat
  readonly template: readonly TemplatePart[] | undefined
}

interface ConsumePlan {
  readonly topic: string
  readonly offset: OffsetFlag
  readonly partition: number | undefined
  readonly count: number | undefined
  readonly exitAtEnd: boolean
  readonly group: string | undefined
  readonly printer: Printer
}

export const consumeCommand: Command = {
  summary: 'print messages of a topic (-o start|end|N|-N|@time, -e, -c, -g, --format, -f template)',
  run: (argv) =>
    runCommand('consume', help, async () => {
      const { values, positionals } = parseCommand(argv, flagOptions)
      if (values.help) {
        process.stdout.write(help)
        return exitCodes.ok
      }
      const plan = planOf(values, positionals)
      const client = connect(values, 'weir-cli')
      try {
        return await (plan.group === undefined ? consumeAlone(client, plan) : consumeInGroup(client, plan))
      } catch (error) {
        throw isWeirError(error) && error.code === 'UNKNOWN_TOPIC' ? unknownTopic(plan.topic) : error
      } finally {
        await client.close()
      }
    }),
}

function planOf(
  values: ReturnType<typeof parseCommand<typeof flagOptions>>['values'],
  positionals: readonly string[],
): ConsumePlan {
  if (positionals.length !== 1) throw new UsageError('expected exactly one TOPIC')
  const formats = keyValueFormats(values)
  if (values.count !== undefined && values['max-messages'] !== undefined)
    throw new UsageError('give --count or --max-messages, not both')
  const count = integerFlag(values.count, '--count') ?? integerFlag(values['max-messages'], '--max-messages')
  if (values['from-beginning'] && values.offset !== undefined)
    throw new UsageError('give --from-beginning or --offset, not both')
  const offset = parseOffsetFlag(values.offset ?? (values['from-beginning'] ? 'start' : 'end'))
  const partition = integerFlag(values.partition, '--partition')
  const group = values.group
  if (group !== undefined) {
    if (group === '') throw new UsageError('--group must not be empty')
    if (offset.kind !== 'start' && offset.kind !== 'end')
      throw new UsageError(
        '--group starts at the committed offsets: --offset may only be start or end (where a partition without one starts); move them with weir groups reset-offsets',
      )
    if (partition !== undefined)
      throw new UsageError('--group shares partitions among members: leave --partition out')
    if (values.exit)
      throw new UsageError('-e is not supported with --group: use --count, or consume without --group')
  }
  return {
    topic: positionals[0]!,
    offset,
    partition,
    count,
    exitAtEnd: values.exit ?? false,
    group,
    printer: {
      ...formats,
      template: values.template === undefined ? undefined : parseTemplate(values.template),
    },
  }
}

async function consumeAlone(client: Client, plan: ConsumePlan): Promise<number> {
  const admin = client.admin()
  // Asked first, with fresh metadata: a missing topic fails here at once. The consumer itself
  // waits up to startTimeoutMs for a topic to appear, right for an application started before
  // the topic is created, not for a person who mistyped a name.
  let ranges: readonly TopicPartitionOffsets[] = await admin.fetchTopicOffsets(plan.topic)
  if (plan.partition !== undefined) {
    ranges = ranges.filter((range) => range.partition === plan.partition)
    if (ranges.length === 0)
      throw new UsageError(
        `topic ${plan.topic} has no partition ${plan.partition}: see weir topics describe ${plan.topic}`,
      )
  }
  const atTimestamp = new Map<number, number>()
  if (plan.offset.kind === 'timestamp') {
    for (const { partition, offset } of await admin.fetchTopicOffsetsByTimestamp(
      plan.topic,
      plan.offset.timestampMs,
    ))
      atTimestamp.set(partition, offset)
  }
  const starts = startOffsets(plan.offset, ranges, atTimestamp)
  for (const start of starts)
    if (start.clamped !== undefined) process.stderr.write(`weir consume: ${start.clamped}\n`)
  const tracker = plan.exitAtEnd ? new EndTracker(starts, ranges) : undefined
  if (tracker?.finished) return exitCodes.ok
  const topic = defineTopic<Buffer | null>({ name: plan.topic, codec: codecs.raw })
  const consumer = client.consumer({ topics: [topic] })
  for (const start of starts)
    consumer.seek({ topic: plan.topic, partition: start.partition, offset: start.offset })
  const interrupt = onInterrupt(() => void consumer.close())
  try {
    await consumer.ready()
    const reading = new Set(starts.map((start: StartOffset) => start.partition))
    const others = consumer.assignment().filter((entry) => !reading.has(entry.partition))
    if (others.length > 0) consumer.pause(others)
    let printed = 0
    for await (const message of consumer) {
      if (!reading.has(message.partition)) continue
      if (tracker !== undefined && !tracker.reading(message.partition)) continue
      process.stdout.write(render(plan.printer, message))
      if (++printed === plan.count) break
      if (tracker?.read(message.partition, message.offset)) {
        consumer.pause([{ topic: plan.topic, partition: message.partition }])
        if (tracker.finished) break
      }
    }
  } finally {
    interrupt.dispose()
    await consumer.close()
  }
  return interrupt.interrupted ? interruptedExitCode : exitCodes.ok
}

async function consumeInGroup(client: Client, plan: ConsumePlan): Promise<number> {
  // Fails at once for a missing topic, as consumeAlone does.
  await client.admin().fetchTopicOffsets(plan.topic)
  const topic = defineTopic<Buffer | null>({ name: plan.topic, codec: codecs.raw })
  const consumer: GroupConsumer<Buffer | null> = client.consumer({
    topics: [topic],
    groupId: plan.group!,
    autoOffsetReset: plan.offset.kind === 'start' ? 'earliest' : 'latest',
  })
  const interrupt = onInterrupt(() => void consumer.close())
  // run(): a message counts as finished, so committed, once its handler returns, which is after it
  // is printed. Past --count a handler throws instead, leaving that message for the next reader.
  const countReached = new Error('--count reached')
  let printed = 0
  try {
    await consumer.run({
      eachMessage: ({ message }) => {
        if (printed === plan.count) throw countReached
        process.stdout.write(render(plan.printer, message))
        if (++printed === plan.count) setImmediate(() => void consumer.close())
      },
    })
  } catch (error) {
    if (error !== countReached) throw error
  } finally {
    interrupt.dispose()
    await consumer.close()
  }
  return interrupt.interrupted ? interruptedExitCode : exitCodes.ok
}

function render(printer: Printer, message: Message<Buffer | null>): string {
  if (printer.template !== undefined) {
    return renderTemplate(printer.template, {
      key: renderBytes(printer.key, message.keyBytes),
      value: renderBytes(printer.value, message.value),
      offset: String(message.offset),
      partition: String(message.partition),
      timestamp: String(message.timestamp),
      headers: Object.entries(message.headers)
        .map(([name, value]) => `${name}=${value}`)
        .join(','),
      topic: message.topic,
      keyBytes: String(message.keyBytes?.length ?? -1),
      valueBytes: String(message.value?.length ?? -1),
    })
  }
  if (printer.value !== 'json') return `${renderBytes(printer.value, message.value)}\n`
  return `${JSON.stringify({
    topic: message.topic,
    partition: message.partition,
    offset: message.offset,
    timestamp: message.timestamp,
    key: bytesAsJsonValue(printer.key, message.keyBytes),
    headers: message.headers,
    value: bytesAsJsonValue(printer.value, message.value),
  })}\n`
}
