export {
  type AclBinding,
  type AclFilter,
  type AclOperation,
  AclOperations,
  type AclPatternType,
  AclPatternTypes,
  type AclPermission,
  AclPermissions,
  type AclResourceType,
  AclResourceTypes,
  aclBindingKey,
  aclFieldLengthMax,
  aclFilterMatches,
  aclsPerRequestMax,
  aclWildcard,
  clusterResourceName,
  decodeAclBinding,
  decodeAclFilter,
  describeAclBinding,
} from './acl.js'
export * from './apis/index.js'
export { decodeBody, encodeBody } from './body-codec.js'
export { compress, compressionNameOf, decompress } from './compression/index.js'
export { Connection, type ConnectionOptions, type RequestOptions } from './connection.js'
export {
  assignmentPartitionsMax,
  type ConsumerAssignment,
  type ConsumerSubscription,
  consumerProtocolType,
  consumerProtocolVersion,
  decodeConsumerAssignment,
  decodeConsumerSubscription,
  encodeConsumerAssignment,
  encodeConsumerSubscription,
  subscriptionTopicsMax,
  type TopicPartitions,
} from './consumer-protocol.js'
export {
  type Clock,
  delay,
  type Environment,
  nodeClock,
  nodeTimers,
  randomId,
  settlesWithin,
  type Timer,
  type Timers,
  type Transport,
  type TransportAddress,
  type TransportListener,
  type TransportSocket,
} from './environment.js'
export { type ErrorCodeEntry, ErrorCodes, type ErrorName, errorNameOf } from './error-codes.js'
export {
  encodeRequestFrame,
  encodeResponseFrame,
  FrameReader,
  frameBytesMaxDefault,
  frameLengthBytes,
  parseRequestFrame,
  parseResponseFrame,
  type RequestHeader,
  requestHeaderBytes,
  responseHeaderBytes,
} from './frame.js'
export {
  decodeApiBody,
  encodeApiRequestFrame,
  encodeApiResponseFrame,
  segmentBytesMin,
  writeFrame,
} from './frame-body.js'
export * as Kafka from './kafka/index.js'
export { choosePartition, keyHash, partitionForKey, StickyPartitioner } from './partitioner.js'
export {
  clusterSecretBytesMin,
  clusterSecretOf,
  isPeerProof,
  type PeerRole,
  type PeerTranscript,
  peerProof,
} from './peer-authentication.js'
export { authenticatePeer, type PeerHandshakeOptions } from './peer-handshake.js'
export { lastSequenceOf, noProducerId, sequenceAfter, sequenceModulus } from './producer-sequence.js'
export { ReceiveBufferPool, type ReceiveBufferPoolOptions } from './receive-buffer-pool.js'
export {
  type DecodedBatch,
  type DecodedHeader,
  type DecodedRecord,
  type DecodeOptions,
  decodeRecordBatch,
  splitBatches,
} from './record-batch-decoder.js'
export {
  batchRecordsMax,
  type EncodeBatchOptions,
  encodeRecordBatch,
  RecordBatchBuilder,
  type RecordHeader,
  type RecordInput,
} from './record-batch-encoder.js'
export {
  attributeCompressionMask,
  attributeControl,
  type BatchCheck,
  BatchField,
  batchCrcStart,
  batchHeaderBytes,
  batchLengthPrefixBytes,
  batchMagic,
  batchSizeAt,
  Compression,
  type CompressionName,
  computeBatchCrc,
  inspectBatch,
  isControlBatch,
  lastOffsetAt,
  offsetCountAt,
  patchBatch,
  type RecordBatchHeader,
  readBatchHeader,
  readInt64,
  readUint64,
  validateBatch,
  writeInt64,
  writeUint64,
} from './record-batch-layout.js'
export { checkBatchRecords } from './record-batch-validate.js'
export {
  backoffMs,
  type Redialable,
  type RedialConnectOptions,
  Redialer,
  type RedialerOptions,
} from './redialer.js'
export {
  type ClientFinal,
  type ClientFirst,
  checkCredentialShape,
  checkServerFinal,
  clientFinalMessage,
  clientFirstMessage,
  fakeScramCredential,
  isScramMechanism,
  type ParsedClientFirst,
  parseClientFirst,
  parsePlainMessage,
  parseServerFirst,
  plainMessage,
  type ScramCredential,
  type ScramMechanism,
  ScramMechanisms,
  type ServerFirst,
  saltedPassword,
  scramCredential,
  scramIterationsMin,
  serverFirstMessage,
  verifyClientFinal,
  verifyPlainPassword,
} from './sasl/scram.js'
export type { Fields, ResponseError } from './schema.js'
export {
  decodeSegmentedBody,
  encodeSegmentedBody,
  type SegmentedBody,
  segmentReferenceKey,
} from './segmented-body.js'
export {
  type CleanupPolicy,
  checkTopicConfig,
  cleanupPolicies,
  isCompacted,
  parseTopicConfigEntries,
  type TopicConfig,
  topicConfigAliases,
  topicConfigKeys,
} from './topic-config.js'
export {
  MemoryNetwork,
  type MemoryNetworkOptions,
  type WriteFate,
  type WriteFateHook,
} from './transport/memory-transport.js'
export { nodeEnvironment } from './transport/node-environment.js'
export {
  type SimulatedRunOptions,
  SimulatedTime,
  type SimulatedTimeOptions,
} from './transport/simulated-time.js'
export { tcpTransport } from './transport/tcp-transport.js'
export { isEncrypted, peerSubject, type TlsOptions, tlsTransport } from './transport/tls-transport.js'
export { ByteReader, varintSize, writeVarint, zigzagDecode, zigzagEncode } from './varint.js'
export { errorFromWire, isWeirError, WeirError } from './weir-error.js'
