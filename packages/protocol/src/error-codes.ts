// The one table of error codes shared by broker, storage and client. A code's number is its wire
// value and never changes meaning; `retriable` says whether the same request may succeed if sent
// again later (after a metadata refresh, a backoff, or freed disk space).

export interface ErrorCodeEntry {
  readonly code: number
  readonly retriable: boolean
  readonly message: string
}

export const ErrorCodes = {
  UNKNOWN_SERVER_ERROR: {
    code: 1,
    retriable: false,
    message: 'The broker hit an unexpected error; its log has the details.',
  },
  CORRUPT_MESSAGE: {
    code: 2,
    retriable: true,
    message:
      'A record batch failed its length or CRC check (its bytes were damaged on the way); send it again.',
  },
  OFFSET_OUT_OF_RANGE: {
    code: 3,
    retriable: false,
    message: 'The offset is below the log start or past the log end; seek to a valid offset.',
  },
  UNKNOWN_TOPIC: {
    code: 4,
    retriable: true,
    message: 'The topic does not exist (yet); create it or check its name.',
  },
  UNKNOWN_PARTITION: {
    code: 5,
    retriable: false,
    message: 'The topic has no partition with that number; check the partition count.',
  },
  NOT_LEADER: {
    code: 6,
    retriable: true,
    message: 'This broker does not lead the partition; refresh metadata and send to the leader.',
  },
  MESSAGE_TOO_LARGE: {
    code: 7,
    retriable: false,
    message: 'The batch is larger than the configured maximum; send smaller batches or raise the limit.',
  },
  REQUEST_TIMED_OUT: {
    code: 8,
    retriable: true,
    message: 'The request did not complete in time; retry with backoff.',
  },
  INVALID_REQUEST: {
    code: 9,
    retriable: false,
    message: 'The request is malformed; check the client version against the protocol docs.',
  },
  UNSUPPORTED_VERSION: {
    code: 10,
    retriable: false,
    message: 'The API version or record format is not supported; upgrade the older side.',
  },
  TOPIC_ALREADY_EXISTS: {
    code: 11,
    retriable: false,
    message: 'A topic with that name already exists; pick another name or use the existing topic.',
  },
  INVALID_TOPIC: {
    code: 12,
    retriable: false,
    message: 'Topic names are 1-249 characters of a-z, A-Z, 0-9, ".", "_" and "-", and not "." or "..".',
  },
  INVALID_CONFIG: {
    code: 13,
    retriable: false,
    message: 'A configuration value is invalid; the message names the field and the allowed range.',
  },
  REBALANCE_IN_PROGRESS: {
    code: 14,
    retriable: true,
    message: 'The consumer group is rebalancing; rejoin the group.',
  },
  ILLEGAL_GENERATION: {
    code: 15,
    retriable: false,
    message: 'The member belongs to an older generation of the group; rejoin the group.',
  },
  UNKNOWN_MEMBER_ID: {
    code: 16,
    retriable: false,
    message: 'The group does not know this member; rejoin with an empty member id.',
  },
  UNAUTHORIZED: {
    code: 17,
    retriable: false,
    message: 'The client is not allowed to do this; check its credentials and permissions.',
  },
  STORAGE_ERROR: {
    code: 18,
    retriable: true,
    message: 'The broker could not read or write its log files; check the disk and the broker log.',
  },
  DISK_FULL: {
    code: 19,
    retriable: true,
    message:
      'The disk holding the log is full; nothing was written. Free space or lower retention, then retry.',
  },
  LOG_CORRUPTED: {
    code: 20,
    retriable: false,
    message:
      'A closed log segment is corrupt; restore it from a replica or backup, or move the segment away to accept the loss.',
  },
  NOT_A_WEIR_LOG: {
    code: 21,
    retriable: false,
    message: 'The directory is not a Weir log; point the data directory at an empty or Weir-owned directory.',
  },
  LOG_CLOSED: {
    code: 22,
    retriable: false,
    message: 'The log has been closed; open it again before using it.',
  },
  UNKNOWN_API: {
    code: 23,
    retriable: false,
    message: 'The broker does not know this API key; check ApiVersions and upgrade the broker or client.',
  },
  BROKER_UNAVAILABLE: {
    code: 24,
    retriable: true,
    message:
      'Could not connect to the broker; check that it is running and that --bootstrap/brokers point at it.',
  },
  CONNECTION_CLOSED: {
    code: 25,
    retriable: true,
    message:
      'The connection closed before the response arrived; the request may or may not have been applied.',
  },
  BROKER_SHUTTING_DOWN: {
    code: 26,
    retriable: true,
    message: 'The broker is shutting down; retry against it once it is back, or against another broker.',
  },
  CLIENT_CLOSED: {
    code: 27,
    retriable: false,
    message: 'The client, producer or consumer was closed; create a new one.',
  },
  LIMIT_EXCEEDED: {
    code: 28,
    retriable: true,
    message:
      'A broker limit was reached (connections or in-flight requests); back off and retry, or raise the limit.',
  },
  NOT_COORDINATOR: {
    code: 29,
    retriable: true,
    message:
      'This broker is not the coordinator of the group (any more); send FindCoordinator again and retry there.',
  },
  COORDINATOR_LOAD_IN_PROGRESS: {
    code: 30,
    retriable: true,
    message: 'The coordinator is still loading the group from its log; retry after a short backoff.',
  },
  FENCED_INSTANCE_ID: {
    code: 31,
    retriable: false,
    message:
      'Another member with the same groupInstanceId replaced this one; stop this consumer, do not rejoin with the same instance id.',
  },
  INCONSISTENT_GROUP_PROTOCOL: {
    code: 32,
    retriable: false,
    message:
      "The member's protocol type or protocols share nothing with the group's members; use a common assignor.",
  },
  NON_EMPTY_GROUP: {
    code: 33,
    retriable: false,
    message: 'The group still has members; stop them (or wait for their sessions to expire) first.',
  },
  INVALID_SESSION_TIMEOUT: {
    code: 34,
    retriable: false,
    message: "The session timeout is outside the broker's allowed range; the message gives the range.",
  },
  GROUP_MAX_SIZE_REACHED: {
    code: 35,
    retriable: false,
    message: 'The group has the maximum number of members; use fewer consumers or raise the limit.',
  },
  GROUP_ID_NOT_FOUND: {
    code: 36,
    retriable: false,
    message: 'The coordinator has no group with that id; check the group id.',
  },
  OUT_OF_ORDER_SEQUENCE: {
    code: 37,
    retriable: false,
    message:
      "The batch's sequence number does not follow the producer's last one on this partition (a gap: earlier records may be lost); nothing was written. Check what was acknowledged, then send again with a new producer.",
  },
  INVALID_PRODUCER_EPOCH: {
    code: 38,
    retriable: false,
    message:
      'A newer producer with the same producerId has written to this partition; this one is fenced. Stop it and use the newer one.',
  },
  INVALID_RECORD: {
    code: 39,
    retriable: false,
    message:
      'The record batch can never be valid as built (control bit, no records, unknown magic or codec, a record count or record that disagrees with its bytes); nothing was written. Fix the code that builds it: sending the same bytes again fails the same way.',
  },
  MISSING_DEPENDENCY: {
    code: 40,
    retriable: false,
    message:
      'An optional peer dependency this feature needs is not installed; the message names it. Install it (for example `pnpm add ioredis`) and start again.',
  },
  CLUSTER_AUTHORIZATION_FAILED: {
    code: 41,
    retriable: false,
    message:
      'The request is for brokers only (Raft, controller) or needs a Cluster permission this client lacks; peers talk on the peer listener (--peer-listen), clients need an ACL on Cluster.',
  },
  SASL_AUTHENTICATION_FAILED: {
    code: 42,
    retriable: false,
    message:
      'Authentication failed: unknown user, wrong password or a broken exchange. Check the username, password and mechanism.',
  },
  ILLEGAL_SASL_STATE: {
    code: 43,
    retriable: false,
    message:
      'The connection is not authenticated yet (or the SASL exchange is out of order); send SaslHandshake then SaslAuthenticate first.',
  },
  UNSUPPORTED_SASL_MECHANISM: {
    code: 44,
    retriable: false,
    message:
      'The broker does not offer that SASL mechanism (or PLAIN without TLS); use one it lists, such as SCRAM-SHA-256.',
  },
  TOPIC_AUTHORIZATION_FAILED: {
    code: 45,
    retriable: false,
    message:
      'An ACL denies this principal the operation on the topic; ask an admin for access (`weir acl add`).',
  },
  GROUP_AUTHORIZATION_FAILED: {
    code: 46,
    retriable: false,
    message:
      'An ACL denies this principal the operation on the group; ask an admin for access (`weir acl add`).',
  },
  POLICY_VIOLATION: {
    code: 47,
    retriable: false,
    message:
      'The change would pass a broker limit (topics, partitions per broker) or break a cluster rule; delete something or raise the limit.',
  },
  DATA_DIRECTORY_LOCKED: {
    code: 59,
    retriable: false,
    message:
      'Another live process holds this data directory; stop it, or give this broker its own --data-dir.',
  },
  INVALID_REPLICA_ASSIGNMENT: {
    code: 56,
    retriable: false,
    message:
      'A replica set must name distinct brokers of the cluster, at least one; list them with `weir cluster describe`.',
  },
  NOT_ENOUGH_REPLICAS: {
    code: 54,
    retriable: true,
    message:
      'The leader could not reach a majority of the replicas, so the write is not committed; it may still be committed later, so resending with an idempotent producer is safe. Bring back the brokers the message names (or fix the network).',
  },
  BROKER_NOT_EMPTY: {
    code: 58,
    retriable: false,
    message:
      'The broker still holds replicas (or is the target of a reassignment); move them first: run `weir cluster remove-broker ID` without --no-move.',
  },
  UNKNOWN_BROKER: {
    code: 60,
    retriable: false,
    message: 'No broker of the cluster has that id; list the brokers with `weir cluster describe`.',
  },
  INVALID_MEMBERSHIP_CHANGE: {
    code: 61,
    retriable: false,
    message:
      'The broker cannot be added or removed that way (its id or address is taken, it is the last broker, or the cluster runs alone); the message says which.',
  },
  UNSUPPORTED_COMPRESSION_TYPE: {
    code: 65,
    retriable: false,
    message:
      "This process cannot compress or decompress with that codec: its native library did not load on this platform. Install the package the message names for this platform, or use compression 'gzip' or 'none'.",
  },
  FENCED_MEMBER_EPOCH: {
    code: 62,
    retriable: false,
    message:
      'The member epoch is not the one the coordinator holds for this member (a stale or replaced member); drop the partitions without committing and join again with epoch 0.',
  },
  INVALID_CONSOLE_REQUEST: {
    code: 71,
    retriable: false,
    message:
      'A web console API call has a missing or invalid parameter (topic, partition, offset, timestamp, format or message body); the message names it and the values it takes.',
  },
} as const satisfies Record<string, ErrorCodeEntry>

export type ErrorName = keyof typeof ErrorCodes

const namesByCode = new Map<number, ErrorName>(
  (Object.keys(ErrorCodes) as ErrorName[]).map((name) => [ErrorCodes[name].code, name]),
)

/** The name of a wire error code, or undefined for a code this version does not know. */
export function errorNameOf(code: number): ErrorName | undefined {
  return namesByCode.get(code)
}
