// `weir cluster health`: asks the cluster (DescribeCluster, DescribeBrokers, and every topic's
// leaders and ISR, __consumer_offsets included) and prints a one-line verdict with the findings;
// exit 0 healthy, 1 unhealthy or unreachable (see cluster-health.ts for the rule). --json prints
// the report as one JSON object instead, for scripts and probes.
import { type Admin, isWeirError } from '@weir/client'
import { assessHealth, type HealthBroker, type HealthPartition, healthText } from './cluster-health.js'
import { exitCodes } from './command.js'

const internalTopics = ['__consumer_offsets']

export async function clusterHealth(
  admin: Admin,
  json: boolean,
  write: (text: string) => void,
): Promise<number> {
  const cluster = await admin.describeCluster()
  const statuses = await brokerStatuses(admin)
  const brokers: HealthBroker[] = cluster.brokers.map((broker) => {
    const status = statuses.get(broker.id)
    return { ...broker, state: status?.state, ...(status ? { progressPercent: status.progressPercent } : {}) }
  })
  const partitions: HealthPartition[] = []
  for (const topic of [...(await admin.listTopics()), ...internalTopics]) {
    // Deleted since the listing, or __consumer_offsets before any group made it: nothing to judge.
    const described = await admin
      .describeTopic(topic)
      .catch((error: unknown) => (isWeirError(error, 'UNKNOWN_TOPIC') ? undefined : Promise.reject(error)))
    for (const partition of described?.partitions ?? []) {
      const { leader, replicas, isr } = partition
      partitions.push({ topic, partition: partition.partition, leader, replicas, isr })
    }
  }
  const report = assessHealth({ controllerId: cluster.controllerId, brokers, partitions })
  write(json ? `${JSON.stringify(report)}\n` : healthText(report))
  return report.healthy ? exitCodes.ok : exitCodes.failure
}

/** Liveness by broker id; empty when the broker asked cannot tell (a release without DescribeBrokers). */
async function brokerStatuses(admin: Admin) {
  try {
    return new Map((await admin.describeBrokers()).map((status) => [status.id, status]))
  } catch (error) {
    if (isWeirError(error, 'UNKNOWN_API')) return new Map()
    throw error
  }
}
