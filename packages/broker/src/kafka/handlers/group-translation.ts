// Shared by the Kafka group handlers (find-coordinator, join-group, sync-group, heartbeat,
// leave-group, offset-commit, offset-fetch): they hand the native group handlers a native request
// and read back a native answer. Pure.
import { type ApiDefinition, errorNameOf, Kafka } from '@weir/protocol'

/**
 * A native request built from a Kafka one, checked by the native API's own decoder: the same
 * field checks (group id length, timeouts, list sizes) a request on Weir's listener gets, and the
 * same INVALID_REQUEST naming the field when one fails.
 */
export function nativeRequest<Request>(api: ApiDefinition<Request, unknown>, body: object): Request {
  return api.decodeRequest(body)
}

/** A native answer's Weir error code as Kafka's (0 stays 0; an unknown code is UNKNOWN_SERVER_ERROR). */
export function kafkaCodeOf(weirErrorCode: number | undefined): number {
  if (weirErrorCode === undefined || weirErrorCode === 0) return 0
  return Kafka.kafkaErrorCodeOf(errorNameOf(weirErrorCode) ?? 'UNKNOWN_SERVER_ERROR')
}

/** Kafka's null for "absent" where the native request leaves the field out. */
export function absentIfNull<T>(value: T | null): T | undefined {
  return value === null ? undefined : value
}
