// `weir topics reassign TOPIC --partition P --replicas 1,2,4 [--throttle-bytes-per-sec N] [--no-wait]`
// and `weir topics reassignments`: move a partition to a new replica set and follow the move.
// The reassign action submits the target, then prints each adding replica's progress (percent
// of the leader's log it holds) whenever it changes, until the partition's replica set is the
// target; --no-wait returns once the target is committed.
import type { Admin, PartitionReassignment } from '@weir/client'
import { delay, nodeTimers } from '@weir/protocol'
import { UsageError } from './flags.js'
import { integerFlag } from './numeric-flags.js'
import { table } from './table.js'

export const reassignHelp = `  weir topics reassign NAME --partition P --replicas 1,2,4 [--throttle-bytes-per-sec N] [--no-wait]
  weir topics reassignments [--json]`

export const reassignFlagsHelp = `  --partition P             the partition to move (reassign)
  --replicas 1,2,4          its new replica set, the first the preferred leader (reassign;
                            the count may differ from today's: a replication factor change)
  --throttle-bytes-per-sec N  at most N bytes per second copied to each new replica (reassign;
                            default: unthrottled)
  --no-wait                 return once the move is committed instead of following it`

export const reassignFlagOptions = {
  partition: { type: 'string' },
  replicas: { type: 'string' },
  'throttle-bytes-per-sec': { type: 'string' },
  'no-wait': { type: 'boolean' },
} as const

export interface ReassignRequest {
  readonly topic: string
  readonly partition: number
  readonly replicas: number[]
  readonly throttleBytesPerSec?: number
  readonly wait: boolean
}

/** The reassign action's flags, checked before anything is sent. */
export function parseReassign(
  topic: string | undefined,
  values: {
    readonly partition?: string | undefined
    readonly replicas?: string | undefined
    readonly 'throttle-bytes-per-sec'?: string | undefined
    readonly 'no-wait'?: boolean | undefined
  },
): ReassignRequest {
  if (topic === undefined) throw new UsageError('topics reassign needs a topic NAME')
  const partition = integerFlag(values.partition, '--partition')
  if (partition === undefined) throw new UsageError('topics reassign needs --partition P')
  if (values.replicas === undefined) throw new UsageError('topics reassign needs --replicas ID,ID,...')
  const replicas = values.replicas.split(',').map((id) => integerFlag(id, '--id')!)
  if (new Set(replicas).size !== replicas.length)
    throw new UsageError(`--replicas names a broker twice: ${values.replicas}`)
  const throttleBytesPerSec = integerFlag(values['throttle-bytes-per-sec'], '--throttle-bytes-per-sec')
  return {
    topic,
    partition,
    replicas,
    ...(throttleBytesPerSec === undefined ? {} : { throttleBytesPerSec }),
    wait: values['no-wait'] !== true,
  }
}

const pollMs = 1000
/** A move that shows no change for this long is still followed; the user may stop watching with ^C. */
export async function reassign(
  admin: Admin,
  request: ReassignRequest,
  write: (line: string) => void,
): Promise<void> {
  const { topic, partition, replicas } = request
  const what = `${topic}/${partition}`
  const startedMs = Date.now()
  await admin.reassignPartitions([{ topic, partition, replicas }], {
    ...(request.throttleBytesPerSec === undefined
      ? {}
      : { throttleBytesPerSec: request.throttleBytesPerSec }),
  })
  if (!request.wait) {
    write(`moving ${what} to ${replicas.join(',')}; follow it with \`weir topics reassignments\`\n`)
    return
  }
  let last = ''
  for (;;) {
    const running = (await admin.listReassignments([topic])).find((entry) => entry.partition === partition)
    if (running === undefined) {
      const current = (await admin.describeTopic(topic)).partitions[partition]?.replicas ?? []
      if (current.join(',') !== replicas.join(',')) {
        // Another target replaced this one, or the image has not caught up yet.
        write(
          `${what} is on ${current.join(',')}, not ${replicas.join(',')}: a newer reassignment replaced this one\n`,
        )
        return
      }
      write(`moved ${what} to ${replicas.join(',')} in ${((Date.now() - startedMs) / 1000).toFixed(1)} s\n`)
      return
    }
    const line = `${what} ${running.replicas.join(',')} -> ${running.target.join(',')}: ${progressText(running)}\n`
    if (line !== last) write(line)
    last = line
    await delay(nodeTimers, pollMs)
  }
}

function progressText(entry: PartitionReassignment): string {
  if (entry.progress.length === 0) return entry.adding.length === 0 ? 'removing replicas' : 'starting'
  return entry.progress
    .map(
      ({ broker, caughtUpPercent, offsetsBehind }) =>
        `broker ${broker} ${caughtUpPercent}% (${offsetsBehind} offsets behind)`,
    )
    .join(', ')
}

/** `weir topics reassignments`: every running move as a table. */
export function reassignmentsTable(running: readonly PartitionReassignment[]): string {
  if (running.length === 0) return 'no reassignment is running\n'
  const header = ['topic', 'partition', 'replicas', 'target', 'leader', 'progress', 'throttle B/s']
  const rows = running.map((entry) => [
    entry.topic,
    String(entry.partition),
    entry.replicas.join(','),
    entry.target.join(','),
    String(entry.leader),
    progressText(entry),
    entry.throttleBytesPerSec === undefined ? '-' : String(entry.throttleBytesPerSec),
  ])
  return table(header, rows)
}
