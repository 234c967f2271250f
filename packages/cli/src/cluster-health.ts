// What `weir cluster health` concludes from what the cluster says of itself. Pure: the command
// gathers the brokers, their liveness and every partition's leader and ISR; this decides.
// Unhealthy (exit 1): a broker not alive (down or catching up), a partition without a leader
// (offline), a partition with fewer in-sync replicas than replicas, or no controller. A draining
// broker is an operator's choice: reported, not a failure.

export interface HealthBroker {
  readonly id: number
  readonly host: string
  readonly port: number
  /** alive, catching-up, draining, down; undefined when the broker asked cannot tell. */
  readonly state: string | undefined
  readonly progressPercent?: number
}

export interface HealthPartition {
  readonly topic: string
  readonly partition: number
  /** -1 or below: no leader. */
  readonly leader: number
  readonly replicas: readonly number[]
  readonly isr: readonly number[] | undefined
}

export interface HealthInput {
  /** -1 while none is elected. */
  readonly controllerId: number
  readonly brokers: readonly HealthBroker[]
  readonly partitions: readonly HealthPartition[]
}

export interface HealthReport {
  readonly healthy: boolean
  readonly controllerId: number
  readonly brokers: {
    readonly total: number
    readonly alive: number
    readonly notAlive: readonly HealthBroker[]
  }
  readonly partitions: {
    readonly total: number
    readonly offline: readonly HealthPartition[]
    readonly underReplicated: readonly HealthPartition[]
  }
  /** One line per finding, failures and notes alike. */
  readonly problems: readonly string[]
}

export function assessHealth(input: HealthInput): HealthReport {
  const problems: string[] = []
  if (input.controllerId < 0) problems.push('no controller is elected: a majority of the brokers must be up')
  const notAlive = input.brokers.filter(
    (broker) => broker.state !== undefined && broker.state !== 'alive' && broker.state !== 'draining',
  )
  for (const broker of notAlive) {
    const state =
      broker.state === 'catching-up' ? `catching up (${broker.progressPercent ?? 0}% held)` : broker.state
    problems.push(`broker ${broker.id} (${broker.host}:${broker.port}) is ${state}`)
  }
  const offline = input.partitions.filter((partition) => partition.leader < 0)
  const underReplicated = input.partitions.filter(
    (partition) => partition.leader >= 0 && (partition.isr?.length ?? 0) < partition.replicas.length,
  )
  for (const partition of offline)
    problems.push(`${partition.topic}/${partition.partition} is offline: no leader`)
  for (const partition of underReplicated) {
    const isr = partition.isr?.join(',') ?? 'unknown'
    problems.push(
      `${partition.topic}/${partition.partition} is under-replicated: in sync ${isr} of replicas ${partition.replicas.join(',')}`,
    )
  }
  const healthy = problems.length === 0
  for (const broker of input.brokers.filter((candidate) => candidate.state === 'draining'))
    problems.push(
      `broker ${broker.id} is draining (weir broker undrain ${broker.id} to take leadership back)`,
    )
  return {
    healthy,
    controllerId: input.controllerId,
    brokers: {
      total: input.brokers.length,
      alive: input.brokers.filter((broker) => broker.state === 'alive' || broker.state === 'draining').length,
      notAlive,
    },
    partitions: { total: input.partitions.length, offline, underReplicated },
    problems,
  }
}

/** The text `weir cluster health` prints. */
export function healthText(report: HealthReport): string {
  const controller = report.controllerId < 0 ? 'none elected' : `broker ${report.controllerId}`
  const lines = [
    `${report.healthy ? 'healthy' : 'UNHEALTHY'}: controller ${controller}; ${report.brokers.alive} of ${report.brokers.total} brokers alive; ` +
      `${report.partitions.offline.length} offline and ${report.partitions.underReplicated.length} under-replicated of ${report.partitions.total} partitions`,
    ...report.problems.map((problem) => `  ${problem}`),
  ]
  return `${lines.join('\n')}\n`
}
