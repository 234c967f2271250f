// `weir topics create|add-partitions|list|describe|delete|reassign|reassignments`: topic
// administration through the client (the two reassignment actions live in reassign-command.ts).
import { parseTopicConfigEntries, WeirError } from '@weir/protocol'
import { bootstrapHelp, connect, parseCommand, runCommand } from './client-flags.js'
import type { Command } from './command.js'
import { exitCodes } from './command.js'
import { UsageError } from './flags.js'
import { printJson, reassignmentsJson, topicDescriptionJson, topicListJson } from './json-output.js'
import { integerFlag } from './numeric-flags.js'
import {
  parseReassign,
  reassign,
  reassignFlagOptions,
  reassignFlagsHelp,
  reassignHelp,
  reassignmentsTable,
} from './reassign-command.js'
import { table } from './table.js'

const help = `Usage:
  weir topics create NAME --partitions N [--replication-factor R] [--config key=value ...]
  weir topics add-partitions NAME --partitions N
  weir topics list [--json]
  weir topics describe NAME [--json]
  weir topics delete NAME
${reassignHelp}

Config keys: retentionMs, retentionBytes, segmentBytes, segmentMs, fsync (always|never|ms), maxMessageBytes,
cleanupPolicy (delete|compact|compact,delete), deleteRetentionMs; Kafka's names work too (cleanup.policy,
retention.ms, retention.bytes, segment.bytes, segment.ms, delete.retention.ms, max.message.bytes).

Flags:
  --partitions N            partition count for create, or the new total for add-partitions
                            (required; add-partitions only grows. Keyed records then go to
                            murmur3(key) % N, so most keys move to another partition, as in Kafka)
  --replication-factor R    replicas per partition (default 1)
  --config key=value        topic config, repeatable
  --json                    list, describe, reassignments: machine-readable output (shapes in the README)
${reassignFlagsHelp}
${bootstrapHelp}
`

const flagOptions = {
  partitions: { type: 'string' },
  'replication-factor': { type: 'string' },
  config: { type: 'string', multiple: true },
  json: { type: 'boolean' },
  ...reassignFlagOptions,
} as const

export const topicsCommand: Command = {
  summary: 'create, grow (add-partitions), list, describe, delete or reassign topics',
  run: (argv) =>
    runCommand('topics', help, async () => {
      const { values, positionals } = parseCommand(argv, flagOptions)
      if (values.help) {
        process.stdout.write(help)
        return exitCodes.ok
      }
      const [action, name, ...extra] = positionals
      if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`)
      if (action === 'reassign' || action === 'reassignments') {
        const moving = action === 'reassign' ? parseReassign(name, values) : undefined
        if (action === 'reassignments' && name !== undefined)
          throw new UsageError('topics reassignments takes no NAME')
        const client = connect(values, 'weir-cli')
        try {
          const write = (line: string) => void process.stdout.write(line)
          if (moving) await reassign(client.admin(), moving, write)
          else {
            const running = await client.admin().listReassignments()
            if (values.json) printJson(reassignmentsJson(running))
            else write(reassignmentsTable(running))
          }
          return exitCodes.ok
        } finally {
          await client.close()
        }
      }
      const needsName =
        action === 'create' || action === 'add-partitions' || action === 'describe' || action === 'delete'
      if (action === undefined)
        throw new UsageError(
          'missing action: create, add-partitions, list, describe, delete, reassign or reassignments',
        )
      if (needsName && name === undefined) throw new UsageError(`topics ${action} needs a topic NAME`)
      if (action === 'list' && name !== undefined) throw new UsageError('topics list takes no NAME')
      if (!needsName && action !== 'list') throw new UsageError(`unknown action ${JSON.stringify(action)}`)
      const create =
        action === 'create'
          ? {
              partitions: integerFlag(values.partitions, '--partitions'),
              replicationFactor: integerFlag(values['replication-factor'], '--replication-factor') ?? 1,
              config: parseConfig(values.config ?? []),
            }
          : undefined
      if (create && create.partitions === undefined)
        throw new UsageError('topics create needs --partitions N')
      const grow = action === 'add-partitions' ? integerFlag(values.partitions, '--partitions') : undefined
      if (action === 'add-partitions' && grow === undefined)
        throw new UsageError('topics add-partitions needs --partitions N (the new total)')
      const client = connect(values, 'weir-cli')
      try {
        const admin = client.admin()
        if (create) {
          await admin.createTopic({
            topic: name!,
            partitions: create.partitions!,
            replicationFactor: create.replicationFactor,
            config: create.config,
          })
          process.stdout.write(`created topic ${name} with ${create.partitions} partition(s)\n`)
        } else if (grow !== undefined) {
          await admin.createPartitions({ topic: name!, count: grow })
          process.stdout.write(`topic ${name} now has ${grow} partition(s)\n`)
        } else if (action === 'list') {
          const topics = await admin.listTopics()
          if (values.json) printJson(topicListJson(topics))
          else for (const topic of topics) process.stdout.write(`${topic}\n`)
        } else if (action === 'describe') {
          const description = await admin.describeTopic(name!)
          if (values.json) printJson(topicDescriptionJson(description))
          else process.stdout.write(describe(description))
        } else {
          await admin.deleteTopic(name!)
          process.stdout.write(`deleted topic ${name}\n`)
        }
        return exitCodes.ok
      } finally {
        await client.close()
      }
    }),
}

function parseConfig(entries: readonly string[]) {
  try {
    return parseTopicConfigEntries(entries)
  } catch (error) {
    if (error instanceof WeirError) throw new UsageError(error.message)
    throw error
  }
}

function describe(
  description: Awaited<ReturnType<ReturnType<ReturnType<typeof connect>['admin']>['describeTopic']>>,
): string {
  const config = Object.entries(description.config)
    .map(([key, value]) => `${key}=${value}`)
    .join(' ')
  const header = ['partition', 'leader', 'replicas', 'isr', 'logStartOffset', 'highWatermark']
  const rows = description.partitions.map((partition) => [
    String(partition.partition),
    String(partition.leader),
    partition.replicas.join(','),
    partition.isr?.join(',') ?? '-',
    String(partition.logStartOffset),
    String(partition.highWatermark),
  ])
  return `topic ${description.topic}\nconfig ${config || '(broker defaults)'}\n${table(header, rows)}`
}
