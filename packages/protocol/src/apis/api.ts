// What every API file exports: its key, the versions this build speaks, and shape-checking
// decoders. Encoding is the shared msgpack body codec applied to the typed object.
export interface ApiDefinition<Request, Response> {
  readonly name: string
  readonly apiKey: number
  readonly versionMin: number
  readonly versionMax: number
  /**
   * From which version on the request's or the response's byte fields travel as trailing segments
   * (segmented-body.ts) instead of msgpack bin; absent: every version is one msgpack body.
   */
  readonly segmentedSince?: { readonly request?: number; readonly response?: number }
  /** Checks a decoded msgpack body; INVALID_REQUEST naming the bad field otherwise. */
  decodeRequest(body: unknown): Request
  decodeResponse(body: unknown): Response
}

/**
 * Wire keys. 0-9 client data APIs, 10-19 consumer groups, 20-29 cluster administration, 30-39 broker-to-broker, 40-44 SASL and
 * users, 45-47 ACLs, 48-49 the broker-driven consumer group protocol. Never reused.
 */
export const ApiKeys = {
  ApiVersions: 0,
  Metadata: 1,
  CreateTopics: 2,
  DeleteTopics: 3,
  Produce: 4,
  Fetch: 5,
  ListOffsets: 6,
  CreatePartitions: 7,
  InitProducerId: 8,
  FindCoordinator: 10,
  JoinGroup: 11,
  SyncGroup: 12,
  Heartbeat: 13,
  LeaveGroup: 14,
  OffsetCommit: 15,
  OffsetFetch: 16,
  ListGroups: 17,
  DescribeGroups: 18,
  DeleteGroups: 19,
  AlterPartitionReassignments: 20,
  ListPartitionReassignments: 21,
  AddBroker: 22,
  RemoveBroker: 23,
  DrainBroker: 24,
  DescribeBrokers: 25,
  RaftMessages: 30,
  ControllerPropose: 31,
  PeerHello: 32,
  PeerProof: 33,
  BrokerHeartbeat: 34,
  CreateAcls: 45,
  DeleteAcls: 46,
  DescribeAcls: 47,
  ConsumerGroupHeartbeat: 48,
  SaslHandshake: 40,
  SaslAuthenticate: 41,
  SetUserCredential: 42,
  DeleteUser: 43,
  ListUsers: 44,
} as const

export type ApiName = keyof typeof ApiKeys

/** Per-partition or per-topic outcome: errorCode 0 is success. */
export interface ErrorFields {
  readonly errorCode: number
  readonly errorMessage?: string
}
