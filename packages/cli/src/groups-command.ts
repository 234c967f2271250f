// `weir groups list|describe|reset-offsets`: consumer-group administration through the client.
import type { GroupDescription } from '@weir/client'
import { bootstrapHelp, connect, parseCommand, runCommand } from './client-flags.js'
import type { Command } from './command.js'
import { exitCodes } from './command.js'
import { UsageError } from './flags.js'
import { table } from './table.js'

const help = `Usage:
  weir groups list
  weir groups describe GROUP
  weir groups reset-offsets GROUP --topic TOPIC (--to-earliest | --to-latest | --to-datetime ISO)

describe prints the group's state and members, then per partition the committed offset, the log
end offset and the lag. reset-offsets needs a group with no live members: stop its consumers first.

Flags:
  --topic TOPIC         the topic whose offsets reset-offsets moves
  --to-earliest         to the start of each partition's log
  --to-latest           to the end of each partition's log (skip everything there now)
  --to-datetime ISO     to the first record at or after this time, e.g. 2026-01-31T12:00:00Z
${bootstrapHelp}
`

const flagOptions = {
  topic: { type: 'string' },
  'to-earliest': { type: 'boolean' },
  'to-latest': { type: 'boolean' },
  'to-datetime': { type: 'string' },
} as const

export const groupsCommand: Command = {
  summary: 'list or describe consumer groups, reset their offsets',
  run: (argv) =>
    runCommand('groups', help, async () => {
      const { values, positionals } = parseCommand(argv, flagOptions)
      if (values.help) {
        process.stdout.write(help)
        return exitCodes.ok
      }
      const [action, group, ...extra] = positionals
      if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`)
      if (action === undefined) throw new UsageError('missing action: list, describe or reset-offsets')
      if (action !== 'list' && action !== 'describe' && action !== 'reset-offsets')
        throw new UsageError(`unknown action ${JSON.stringify(action)}`)
      if (action === 'list' && group !== undefined) throw new UsageError('groups list takes no GROUP')
      if (action !== 'list' && group === undefined) throw new UsageError(`groups ${action} needs a GROUP`)
      const target = action === 'reset-offsets' ? resetTarget(values) : undefined
      const client = connect(values, 'weir-cli')
      try {
        const admin = client.admin()
        if (action === 'list') {
          const groups = await admin.listGroups()
          process.stdout.write(
            table(
              ['group', 'state', 'protocolType'],
              groups.map((entry) => [entry.groupId, entry.state, entry.protocolType || '-']),
            ),
          )
        } else if (action === 'describe') {
          process.stdout.write(describe(await admin.describeGroup(group!)))
        } else {
          const offsets = await admin.resetOffsets(group!, target!.topic, target!.to)
          process.stdout.write(
            `reset group ${group} on ${target!.topic} to ${target!.label}\n${table(
              ['partition', 'offset'],
              offsets.map((entry) => [String(entry.partition), String(entry.offset)]),
            )}`,
          )
        }
        return exitCodes.ok
      } finally {
        await client.close()
      }
    }),
}

function resetTarget(values: {
  topic?: string | undefined
  'to-earliest'?: boolean | undefined
  'to-latest'?: boolean | undefined
  'to-datetime'?: string | undefined
}): { topic: string; to: 'earliest' | 'latest' | number; label: string } {
  if (values.topic === undefined) throw new UsageError('groups reset-offsets needs --topic TOPIC')
  const chosen = [values['to-earliest'], values['to-latest'], values['to-datetime'] !== undefined].filter(
    Boolean,
  )
  if (chosen.length !== 1)
    throw new UsageError(
      'groups reset-offsets needs exactly one of --to-earliest, --to-latest, --to-datetime ISO',
    )
  if (values['to-earliest']) return { topic: values.topic, to: 'earliest', label: 'earliest' }
  if (values['to-latest']) return { topic: values.topic, to: 'latest', label: 'latest' }
  const text = values['to-datetime']!
  const timestampMs = Date.parse(text)
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(timestampMs) || timestampMs < 0)
    throw new UsageError(
      `--to-datetime must be an ISO 8601 time such as 2026-01-31T12:00:00Z, got ${JSON.stringify(text)}`,
    )
  return { topic: values.topic, to: timestampMs, label: new Date(timestampMs).toISOString() }
}

function describe(description: GroupDescription): string {
  const members = description.members.map((member) => [
    member.memberId,
    member.groupInstanceId ?? '-',
    member.clientId,
    member.host,
    member.assignment.map((entry) => `${entry.topic}/${entry.partition}`).join(',') || '-',
  ])
  const offsets = description.offsets.map((row) => [
    row.topic,
    String(row.partition),
    row.committedOffset < 0 ? '-' : String(row.committedOffset),
    String(row.logEndOffset),
    row.lag === null ? '-' : String(row.lag),
  ])
  return [
    `group ${description.groupId}`,
    `state ${description.state}`,
    `protocol ${description.protocol || '-'}`,
    `generation ${description.generationId}`,
    '',
    members.length > 0
      ? table(['member', 'instance', 'clientId', 'host', 'assignment'], members).trimEnd()
      : '(no members)',
    '',
    offsets.length > 0
      ? table(['topic', 'partition', 'committed', 'logEnd', 'lag'], offsets).trimEnd()
      : '(no committed offsets)',
    '',
  ].join('\n')
}
