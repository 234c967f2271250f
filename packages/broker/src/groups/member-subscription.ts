// What the coordinator reads of a member's protocol metadata: the topics it subscribes to and its
// user data. Two consumer protocols reach one coordinator: Weir's ('consumer', msgpack) and
// Kafka's ('kafka:consumer', Kafka's ConsumerProtocol, stored under that name by the Kafka
// listener). Any other protocolType (Kafka Connect's 'connect', a custom one) is opaque.
import { consumerProtocolType, decodeConsumerSubscription, Kafka } from '@weir/protocol'

export interface MemberSubscription {
  readonly topics: readonly string[]
  /** Empty when the member sent none (Kafka's null and empty mean the same to us). */
  readonly userData: Buffer
}

const noUserData = Buffer.alloc(0)

/** True when the coordinator can read this protocolType's metadata (the two consumer protocols). */
export function isReadableProtocolType(protocolType: string | undefined): boolean {
  return protocolType === consumerProtocolType || protocolType === Kafka.kafkaConsumerProtocolType
}

/**
 * The subscription in `metadata`, or undefined for an opaque protocolType. Bytes that are not a
 * subscription of a readable type are INVALID_REQUEST (a WeirError, from the codecs).
 */
export function readSubscription(
  protocolType: string | undefined,
  metadata: Uint8Array,
): MemberSubscription | undefined {
  if (protocolType === consumerProtocolType) {
    const subscription = decodeConsumerSubscription(metadata)
    return { topics: subscription.topics, userData: subscription.userData ?? noUserData }
  }
  if (protocolType === Kafka.kafkaConsumerProtocolType) {
    const subscription = Kafka.decodeConsumerProtocolSubscription(metadata)
    return { topics: subscription.topics, userData: subscription.userData ?? noUserData }
  }
  return undefined
}
