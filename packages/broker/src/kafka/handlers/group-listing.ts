// How ListGroups and DescribeGroups on the Kafka listener name a group's state and protocol type.
// Pure.
//
// Protocol types: a Kafka consumer group is stored as 'kafka:consumer' and goes back as 'consumer'.
// Weir's own consumer groups are stored as 'consumer' too, but their metadata and assignments are
// msgpack: shown to Kafka tools as 'consumer' they would be decoded as Kafka's ConsumerProtocol
// and fail, so they go out as 'weir:consumer' (Kafka's admin client then says "not a consumer
// group" instead of failing to parse). Other types ('connect', '' for offsets-only groups) as stored.
import { type GroupState, GroupStates, Kafka } from '@weir/protocol'

/** What Weir's own consumer groups are called on the Kafka listener. */
export const weirConsumerProtocolTypeForKafka = 'weir:consumer'

export function kafkaGroupProtocolType(stored: string): string {
  if (stored === Kafka.kafkaClientConsumerProtocolType) return weirConsumerProtocolTypeForKafka
  return Kafka.kafkaProtocolTypeOfWeir(stored)
}

const kafkaStates: Record<GroupState, string> = {
  [GroupStates.empty]: 'Empty',
  [GroupStates.preparingRebalance]: 'PreparingRebalance',
  [GroupStates.completingRebalance]: 'CompletingRebalance',
  [GroupStates.stable]: 'Stable',
  [GroupStates.dead]: 'Dead',
}

/** Kafka's state names (kafka-consumer-groups.sh and KafkaJS show them as they are). */
export function kafkaGroupState(state: GroupState): string {
  return kafkaStates[state]
}
