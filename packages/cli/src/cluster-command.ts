// `weir cluster describe`: the brokers with their liveness, the controller, how leadership is
// spread, and which partitions are under-replicated (fewer in-sync replicas than replicas),
// through the client.
import { type Admin, type BrokerStatus, isWeirError, type PartitionDescription } from '@weir/client'
import { bootstrapHelp, connect, parseCommand, runCommand } from './client-flags.js'
import { clusterHealth } from './cluster-health-command.js'
import {
  isMembershipAction,
  membershipFlagOptions,
  membershipFlagsHelp,
  membershipHelp,
  runMembership,
} from './cluster-membership-command.js'
import type { Command } from './command.js'
import { exitCodes } from './command.js'
import { UsageError } from './flags.js'
import { type ClusterJsonInput, clusterJson, printJson } from './json-output.js'
import { table } from './table.js'

const help = `Usage:
  weir cluster describe [--json]
  weir cluster health [--json]
${membershipHelp}

Prints the controller, then every broker with the partitions it leads, its state and its last
heartbeat, then the partitions whose in-sync replicas are fewer than their replicas (a broker
down or still catching up), including the internal __consumer_offsets topic. Exit code 0 even
when some are under-replicated or down.

State, as the broker asked sees it: alive; catching-up N% (started with less than the committed
data of its replicas, e.g. an empty data dir: N is the share it holds); draining (moving its
leadership away); down (no heartbeat for 3 s; brokers send one every second). Last heartbeat is
how long ago that broker's last heartbeat arrived (0 ms for the broker asked).

health prints one line, healthy or UNHEALTHY, then what is wrong; it exits 1 when a broker is not
alive (down or catching up), a partition has no leader (offline) or fewer in-sync replicas than
replicas, or no controller is elected, and 0 otherwise (a draining broker is noted, not a failure).
--json prints the same as one JSON object. Exit 1 also when no broker answers.

add-broker admits a broker already started with --id ID and --peers listing every broker (itself
included); remove-broker moves its replicas to the least-loaded other brokers, then removes it;
rebalance spreads replicas and preferred leaders evenly. See the README's operations section.

Flags:
  --json                    describe and health: machine-readable output (shapes in the README)
${membershipFlagsHelp}
${bootstrapHelp}
`

const internalTopics = ['__consumer_offsets']
const flagOptions = { ...membershipFlagOptions, json: { type: 'boolean' } } as const

export const clusterCommand: Command = {
  summary:
    'describe the cluster (brokers, controller, leaders, under-replicated partitions); health (exit 1 when not); add, remove or rebalance brokers',
  run: (argv) =>
    runCommand('cluster', help, async () => {
      const { values, positionals } = parseCommand(argv, flagOptions)
      if (values.help) {
        process.stdout.write(help)
        return exitCodes.ok
      }
      const [action, ...extra] = positionals
      if (action === undefined)
        throw new UsageError('missing action: describe, health, add-broker, remove-broker or rebalance')
      if (isMembershipAction(action)) {
        const client = connect(values, 'weir-cli')
        try {
          await runMembership(client.admin(), action, extra, values, (text) => process.stdout.write(text))
          return exitCodes.ok
        } finally {
          await client.close()
        }
      }
      if (action === 'health') {
        if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`)
        const client = connect(values, 'weir-cli')
        try {
          return await clusterHealth(client.admin(), values.json === true, (text) =>
            process.stdout.write(text),
          )
        } finally {
          await client.close()
        }
      }
      if (action !== 'describe') throw new UsageError(`unknown action ${JSON.stringify(action)}`)
      if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`)
      const client = connect(values, 'weir-cli')
      try {
        const state = await gather(client.admin())
        if (values.json) printJson(clusterJson(state))
        else process.stdout.write(render(state))
        return exitCodes.ok
      } finally {
        await client.close()
      }
    }),
}

/** Everything describe shows, fetched once, for the table or the JSON. */
async function gather(admin: Admin): Promise<ClusterJsonInput> {
  const cluster = await admin.describeCluster()
  const partitions: { topic: string; partition: PartitionDescription }[] = []
  for (const topic of [...(await admin.listTopics()), ...internalTopics]) {
    // A topic deleted since the listing, or __consumer_offsets before any group made it: skipped.
    const described = await admin
      .describeTopic(topic)
      .catch((error: unknown) => (isWeirError(error, 'UNKNOWN_TOPIC') ? undefined : Promise.reject(error)))
    for (const partition of described?.partitions ?? []) partitions.push({ topic, partition })
  }
  const led = (id: number) => partitions.filter(({ partition }) => partition.leader === id).length
  const statuses = await brokerStatuses(admin)
  const underReplicated = partitions.filter(
    ({ partition }) => partition.leader < 0 || (partition.isr?.length ?? 0) < partition.replicas.length,
  )
  return { cluster, statuses, partitions, leads: led, underReplicated }
}

function render({ cluster, statuses, partitions, leads, underReplicated: under }: ClusterJsonInput): string {
  const brokers = table(
    ['broker', 'address', 'leads', 'state', 'last heartbeat'],
    cluster.brokers.map((broker) => {
      const status = statuses.get(broker.id)
      return [
        String(broker.id) + (broker.id === cluster.controllerId ? ' (controller)' : ''),
        `${broker.host}:${broker.port}`,
        String(leads(broker.id)),
        status === undefined ? '-' : stateText(status),
        status === undefined ? '-' : heartbeatText(status),
      ]
    }),
  )
  const controller = cluster.controllerId < 0 ? 'none elected' : `broker ${cluster.controllerId}`
  const summary = `controller: ${controller}\n${brokers}\n${under.length} of ${partitions.length} partitions under-replicated\n`
  if (under.length === 0) return summary
  const rows = under.map(({ topic, partition }) => [
    topic,
    String(partition.partition),
    partition.leader < 0 ? '-' : String(partition.leader),
    partition.replicas.join(','),
    partition.isr?.join(',') ?? '-',
  ])
  return `${summary}${table(['topic', 'partition', 'leader', 'replicas', 'isr'], rows)}`
}

/** Liveness by broker id; empty when the broker asked cannot tell (a release without DescribeBrokers). */
async function brokerStatuses(admin: Admin): Promise<Map<number, BrokerStatus>> {
  try {
    return new Map((await admin.describeBrokers()).map((status) => [status.id, status]))
  } catch (error) {
    if (isWeirError(error, 'UNKNOWN_API')) return new Map()
    throw error
  }
}

function stateText(status: BrokerStatus): string {
  return status.state === 'catching-up' ? `catching-up ${status.progressPercent}%` : status.state
}

function heartbeatText(status: BrokerStatus): string {
  return status.lastHeartbeatMs < 0 ? 'never' : `${status.lastHeartbeatMs} ms ago`
}
