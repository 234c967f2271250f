// `weir groups list|describe|delete|reset-offsets`: consumer-group administration through the
// client. An unknown group is an error (exit 1) for describe, delete and reset-offsets: a typo
// must not look like an empty group. Reset plans are computed in reset-plan.ts.
import type { Admin, GroupDescription } from '@weir/client'
import { WeirError } from '@weir/protocol'
import { bootstrapHelp, connect, parseCommand, runCommand } from './client-flags.js'
import type { Command } from './command.js'
import { exitCodes } from './command.js'
import { UsageError } from './flags.js'
import { groupDescriptionJson, groupListJson, printJson } from './json-output.js'
import { parseReset, type ResetRequest, resetFlagOptions } from './reset-flags.js'
import { describeTarget, type PlannedReset, planReset } from './reset-plan.js'
import { table } from './table.js'

const help = `Usage:
  weir groups list [--json]
  weir groups describe GROUP [--json]
  weir groups delete GROUP
  weir groups reset-offsets GROUP --topic TOPIC[:P,P...] TARGET [--dry-run] [--json]
    TARGET: --to-earliest | --to-latest | --to-offset N | --shift-by N | --to-datetime ISO|MS

describe prints the group's state and members, then per partition the committed offset, the log
end offset and the lag. delete removes an empty group and its committed offsets.
reset-offsets prints, per partition, the committed offset before and after; it needs a group
with no live members (stop its consumers first), except with --dry-run, which only prints the
plan. Offsets past either end of the log land on that end. describe, delete and reset-offsets
exit 1 for a group that does not exist.

Flags:
  --topic TOPIC[:P,...]  the topic whose offsets reset-offsets moves; optionally only partitions P
  --to-earliest         to the start of each partition's log
  --to-latest           to the end of each partition's log (skip everything there now)
  --to-offset N         to offset N
  --shift-by N          by N from the committed offset (negative: back, to re-read)
  --to-datetime T       to the first record at or after T: ISO 8601 (2026-01-31T12:00:00Z) or ms
  --dry-run             print the plan, change nothing
  --json                machine-readable output (see the README's CLI section for the shapes)
${bootstrapHelp}
`

const flagOptions = { ...resetFlagOptions, json: { type: 'boolean' } } as const
const actions = ['list', 'describe', 'delete', 'reset-offsets'] as const

export const groupsCommand: Command = {
  summary: 'list, describe or delete consumer groups, reset their offsets (--dry-run, --to-*, --shift-by)',
  run: (argv) =>
    runCommand('groups', help, async () => {
      const { values, positionals } = parseCommand(argv, flagOptions)
      if (values.help) {
        process.stdout.write(help)
        return exitCodes.ok
      }
      const [action, group, ...extra] = positionals
      if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`)
      if (action === undefined) throw new UsageError(`missing action: ${actions.join(', ')}`)
      if (!(actions as readonly string[]).includes(action))
        throw new UsageError(`unknown action ${JSON.stringify(action)} (actions: ${actions.join(', ')})`)
      if (action === 'list' && group !== undefined) throw new UsageError('groups list takes no GROUP')
      if (action !== 'list' && group === undefined) throw new UsageError(`groups ${action} needs a GROUP`)
      const reset = action === 'reset-offsets' ? parseReset(values) : undefined
      const json = values.json === true
      const client = connect(values, 'weir-cli')
      try {
        const admin = client.admin()
        if (action === 'list') {
          const groups = await admin.listGroups()
          if (json) printJson(groupListJson(groups))
          else
            process.stdout.write(
              table(
                ['group', 'state', 'protocolType'],
                groups.map((entry) => [entry.groupId, entry.state, entry.protocolType || '-']),
              ),
            )
        } else if (action === 'describe') {
          const description = await existingGroup(admin, group!)
          if (json) printJson(groupDescriptionJson(description))
          else process.stdout.write(describe(description))
        } else if (action === 'delete') {
          await admin.deleteGroup(group!)
          process.stdout.write(`deleted group ${group}\n`)
        } else {
          await resetOffsets(admin, group!, reset!, json)
        }
        return exitCodes.ok
      } finally {
        await client.close()
      }
    }),
}

/** describeGroup answers an unknown group as 'dead' with nothing in it: that is "no such group". */
async function existingGroup(admin: Admin, groupId: string): Promise<GroupDescription> {
  const description = await admin.describeGroup(groupId)
  if (description.state === 'dead' && description.members.length === 0 && description.offsets.length === 0)
    throw new WeirError(
      'GROUP_ID_NOT_FOUND',
      `group ${groupId} does not exist (no members, no committed offsets); list groups with \`weir groups list\``,
    )
  return description
}

async function resetOffsets(
  admin: Admin,
  groupId: string,
  reset: ResetRequest,
  json: boolean,
): Promise<void> {
  const description = await existingGroup(admin, groupId)
  const topic = await admin.describeTopic(reset.topic)
  const atTime =
    reset.target.kind === 'datetime'
      ? new Map(
          (await admin.fetchTopicOffsetsByTimestamp(reset.topic, reset.target.timestampMs)).map((entry) => [
            entry.partition,
            entry.offset,
          ]),
        )
      : undefined
  const committed = new Map(
    description.offsets
      .filter((row) => row.topic === reset.topic)
      .map((row) => [row.partition, row.committedOffset]),
  )
  const states = topic.partitions.map((partition) => {
    const offsetAtTime = atTime?.get(partition.partition)
    return {
      partition: partition.partition,
      committed: committed.get(partition.partition) ?? -1,
      logStartOffset: partition.logStartOffset,
      logEndOffset: partition.highWatermark,
      ...(offsetAtTime === undefined ? {} : { offsetAtTime }),
    }
  })
  const plan = planReset(states, reset.target, reset.partitions)
  if (!reset.dryRun)
    await admin.setOffsets(
      groupId,
      reset.topic,
      plan.map(({ partition, to }) => ({ partition, offset: to })),
    )
  if (json) {
    printJson({
      groupId,
      topic: reset.topic,
      target: describeTarget(reset.target),
      dryRun: reset.dryRun,
      partitions: plan,
    })
    return
  }
  const verb = reset.dryRun ? 'would reset' : 'reset'
  const note = reset.dryRun ? ' (dry run: nothing changed)' : ''
  process.stdout.write(
    `${verb} group ${groupId} on ${reset.topic} to ${describeTarget(reset.target)}${note}\n${planTable(plan)}`,
  )
}

function planTable(plan: readonly PlannedReset[]): string {
  return table(
    ['partition', 'old', 'new'],
    plan.map((entry) => [
      String(entry.partition),
      entry.from === null ? '-' : String(entry.from),
      String(entry.to),
    ]),
  )
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
