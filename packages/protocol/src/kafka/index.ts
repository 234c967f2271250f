// The Kafka wire protocol subset the `--kafka-listen` listener needs: pure codecs, no sockets.
// See docs/kafka-codec.md for the versions and why.
export type { AnyKafkaApi, KafkaApi } from './api.js'
export { KafkaApiKeys, type KafkaApiName } from './api-keys.js'
export * from './apis/api-versions.js'
export * from './apis/create-partitions.js'
export * from './apis/create-topics.js'
export * from './apis/delete-groups.js'
export * from './apis/delete-topics.js'
export * from './apis/describe-configs.js'
export * from './apis/describe-groups.js'
export * from './apis/fetch.js'
export * from './apis/find-coordinator.js'
export * from './apis/heartbeat.js'
export * from './apis/init-producer-id.js'
export * from './apis/join-group.js'
export * from './apis/leave-group.js'
export * from './apis/list-groups.js'
export * from './apis/list-offsets.js'
export * from './apis/metadata.js'
export * from './apis/offset-commit.js'
export * from './apis/offset-fetch.js'
export * from './apis/produce.js'
export * from './apis/sasl-authenticate.js'
export * from './apis/sasl-handshake.js'
export * from './apis/sync-group.js'
export {
  advertisedApiVersions,
  type DecodedKafkaRequest,
  decodeKafkaRequest,
  decodeKafkaResponse,
  encodeKafkaRequest,
  encodeKafkaResponse,
  encodeKafkaResponseParts,
  kafkaApiFor,
  kafkaApis,
  requestOf,
  unsupportedApiVersionsResponse,
} from './codec.js'
export * from './consumer-protocol.js'
export {
  KafkaErrorCodes,
  type KafkaErrorEntry,
  type KafkaErrorName,
  kafkaErrorCodeOf,
  kafkaErrorForWeir,
} from './error-codes.js'
export {
  isFlexibleVersion,
  type KafkaRequestHeader,
  requestHeaderVersion,
  responseHeaderVersion,
} from './header.js'
export { KafkaReader, kafkaArrayLengthMax, kafkaTaggedFieldsMax } from './reader.js'
export { kafkaBatchMagic, kafkaBatchToWeir, weirBatchesToKafka, weirBatchToKafka } from './record-batch.js'
export { type Field, type MessageSchema, type PrimitiveType, versions } from './schema.js'
export { KafkaWriter, kafkaViewBytesMin } from './writer.js'
