// Metadata (v0-9): the native Metadata answer (the cluster image, leaders, in-sync replicas, the
// Describe ACLs) with every broker named by its Kafka listener address, as Kafka clients dial it.
// Peers' Kafka addresses come from their BrokerHeartbeats; a broker without a known Kafka address
// (no --kafka-listen, or not heard from yet) is left out, and a partition it leads answers
// LEADER_NOT_AVAILABLE (retriable: the client asks again). Weir has no auto-create: an unknown
// topic is UNKNOWN_TOPIC_OR_PARTITION whatever allowAutoTopicCreation says (create topics with
// CreateTopics or `weir topics create`). clusterId is null: a Weir cluster has no id.
import {
  Kafka,
  Metadata,
  type MetadataPartition,
  type MetadataResponse,
  type MetadataTopic,
} from '@weir/protocol'
import { isInternalTopic } from '../../groups/group-records.js'
import { metadataHandler } from '../../handlers/metadata.js'
import { kafkaCodeOfWeirCode } from '../kafka-errors.js'
import { defineKafkaHandler, type KafkaRequestContext } from '../kafka-handler.js'
import type { KafkaAddress } from '../kafka-listen.js'

/** Kafka's "authorized operations not asked for" (KIP-430). */
const operationsNotRequested = -2147483648

export const kafkaMetadataHandler = defineKafkaHandler({
  api: Kafka.metadataApi,
  async handle(request, context) {
    // v0 has no null: an empty list there means every topic.
    const everyTopic = request.topics === null || (context.version === 0 && request.topics.length === 0)
    const names = everyTopic ? null : request.topics!.map((topic) => topic.name)
    const native = Metadata.decodeRequest({ topics: names })
    const response = (await metadataHandler.handle(native, context.native))!
    const unknown = response.topics.filter((topic) => topic.errorCode !== 0).length
    if (unknown > 0 && request.allowAutoTopicCreation)
      context.native.logger.debug(
        { clientId: context.header.clientId },
        'Kafka Metadata asked to auto-create topics; Weir never does',
      )
    return kafkaMetadata(response, addressesOf(response, context), context.native.cluster.selfId)
  },
  errorResponse(request, _version, errorCode) {
    const topics = (request.topics ?? []).map(({ name }) => ({
      errorCode,
      name,
      isInternal: false,
      partitions: [],
    }))
    return { throttleTimeMs: 0, brokers: [], clusterId: null, controllerId: -1, topics }
  },
})

/** Every broker of the answer whose Kafka address is known: this one's own, peers' from heartbeats. */
function addressesOf(response: MetadataResponse, context: KafkaRequestContext): Map<number, KafkaAddress> {
  const { cluster } = context.native
  const addresses = new Map<number, KafkaAddress>()
  for (const broker of response.brokers) {
    const address =
      broker.id === cluster.selfId ? context.kafkaAdvertised : cluster.heartbeats.kafkaAddressOf(broker.id)
    if (address !== undefined) addresses.set(broker.id, address)
  }
  return addresses
}

/**
 * The Kafka answer for a native Metadata answer and the brokers' Kafka addresses, as broker
 * `selfId` gives it. Pure.
 *
 * controllerId always names a listed broker: KafkaJS sends InitProducerId and admin requests to the
 * controller and gives up at once (no retry) when its id is not among the brokers, as it is when
 * the controller's Kafka address is not heard yet (just after a restart) or no controller is
 * elected. Any Weir broker forwards controller work itself, so naming the answering broker then is
 * true enough, and the client's next Metadata names the real controller.
 */
export function kafkaMetadata(
  response: MetadataResponse,
  addresses: ReadonlyMap<number, KafkaAddress>,
  selfId: number,
): Kafka.MetadataResponse {
  return {
    throttleTimeMs: 0,
    brokers: [...addresses].map(([nodeId, { host, port }]) => ({ nodeId, host, port, rack: null })),
    clusterId: null,
    controllerId: addresses.has(response.controllerId) ? response.controllerId : selfId,
    topics: response.topics.map((topic) => kafkaTopic(topic, addresses)),
    clusterAuthorizedOperations: operationsNotRequested,
  }
}

function kafkaTopic(topic: MetadataTopic, addresses: ReadonlyMap<number, KafkaAddress>): Kafka.MetadataTopic {
  return {
    errorCode: kafkaCodeOfWeirCode(topic.errorCode),
    name: topic.name,
    isInternal: isInternalTopic(topic.name),
    partitions: topic.partitions.map((partition) => kafkaPartition(partition, addresses)),
    topicAuthorizedOperations: operationsNotRequested,
  }
}

function kafkaPartition(
  partition: MetadataPartition,
  addresses: ReadonlyMap<number, KafkaAddress>,
): Kafka.MetadataPartition {
  const leaderKnown = partition.leader > 0 && addresses.has(partition.leader)
  const errorCode =
    partition.errorCode !== 0
      ? kafkaCodeOfWeirCode(partition.errorCode)
      : leaderKnown
        ? Kafka.KafkaErrorCodes.NONE.code
        : Kafka.KafkaErrorCodes.LEADER_NOT_AVAILABLE.code
  return {
    errorCode,
    partitionIndex: partition.partition,
    leaderId: leaderKnown ? partition.leader : -1,
    leaderEpoch: partition.leaderEpoch ?? -1,
    replicaNodes: partition.replicas,
    isrNodes: partition.isr ?? [],
    offlineReplicas: [],
  }
}
