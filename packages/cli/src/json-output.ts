// The `--json` shapes of the list and describe commands. Each is built field by field from the
// client's answer rather than passing it through, so a field added to the client does not change
// what scripts parse: these shapes are a contract, documented in the README's CLI section.
import type {
  AclBinding,
  BrokerStatus,
  ClusterDescription,
  GroupDescription,
  ListedGroupSummary,
  PartitionDescription,
  PartitionReassignment,
  TopicDescription,
  UserDescription,
} from '@weir/client'

/** Pretty-printed, one document per command, ending with a newline. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`)
}

export function topicListJson(names: readonly string[]) {
  return names.map((name) => ({ name }))
}

function partitionJson(partition: PartitionDescription) {
  return {
    partition: partition.partition,
    leader: partition.leader,
    replicas: [...partition.replicas],
    isr: partition.isr === undefined ? null : [...partition.isr],
    logStartOffset: partition.logStartOffset,
    highWatermark: partition.highWatermark,
  }
}

export function topicDescriptionJson(description: TopicDescription) {
  return {
    name: description.topic,
    config: { ...description.config },
    partitions: description.partitions.map(partitionJson),
  }
}

export function reassignmentsJson(running: readonly PartitionReassignment[]) {
  return running.map((entry) => ({
    topic: entry.topic,
    partition: entry.partition,
    replicas: [...entry.replicas],
    target: [...entry.target],
    leader: entry.leader < 0 ? null : entry.leader,
    progress: entry.progress.map(({ broker, caughtUpPercent, offsetsBehind }) => ({
      broker,
      caughtUpPercent,
      offsetsBehind,
    })),
    throttleBytesPerSec: entry.throttleBytesPerSec ?? null,
  }))
}

export function groupListJson(groups: readonly ListedGroupSummary[]) {
  return groups.map((group) => ({
    groupId: group.groupId,
    state: group.state,
    protocolType: group.protocolType,
  }))
}

export function groupDescriptionJson(description: GroupDescription) {
  return {
    groupId: description.groupId,
    state: description.state,
    protocol: description.protocol,
    generationId: description.generationId,
    members: description.members.map((member) => ({
      memberId: member.memberId,
      groupInstanceId: member.groupInstanceId ?? null,
      clientId: member.clientId,
      host: member.host,
      assignment: member.assignment.map(({ topic, partition }) => ({ topic, partition })),
    })),
    offsets: description.offsets.map((row) => ({
      topic: row.topic,
      partition: row.partition,
      committedOffset: row.committedOffset < 0 ? null : row.committedOffset,
      logEndOffset: row.logEndOffset,
      lag: row.lag,
    })),
  }
}

export function aclListJson(bindings: readonly AclBinding[]) {
  return bindings.map((binding) => ({
    principal: binding.principal,
    permission: binding.permission,
    operation: binding.operation,
    resourceType: binding.resourceType,
    resourceName: binding.resourceName,
    patternType: binding.patternType,
    host: binding.host,
  }))
}

export function userListJson(users: readonly UserDescription[]) {
  return users.map((user) => ({ username: user.username, mechanisms: [...user.mechanisms] }))
}

export interface ClusterJsonInput {
  readonly cluster: ClusterDescription
  readonly statuses: ReadonlyMap<number, BrokerStatus>
  readonly partitions: readonly { readonly topic: string; readonly partition: PartitionDescription }[]
  readonly leads: (brokerId: number) => number
  readonly underReplicated: readonly { readonly topic: string; readonly partition: PartitionDescription }[]
}

export function clusterJson(input: ClusterJsonInput) {
  return {
    controllerId: input.cluster.controllerId < 0 ? null : input.cluster.controllerId,
    brokers: input.cluster.brokers.map((broker) => {
      const status = input.statuses.get(broker.id)
      return {
        id: broker.id,
        host: broker.host,
        port: broker.port,
        controller: broker.id === input.cluster.controllerId,
        leads: input.leads(broker.id),
        // null when the broker asked cannot tell (a release without DescribeBrokers).
        state: status?.state ?? null,
        progressPercent: status?.progressPercent ?? null,
        lastHeartbeatMs: status === undefined || status.lastHeartbeatMs < 0 ? null : status.lastHeartbeatMs,
      }
    }),
    partitionCount: input.partitions.length,
    underReplicated: input.underReplicated.map(({ topic, partition }) => ({
      topic,
      partition: partition.partition,
      leader: partition.leader < 0 ? null : partition.leader,
      replicas: [...partition.replicas],
      isr: partition.isr === undefined ? null : [...partition.isr],
    })),
  }
}
