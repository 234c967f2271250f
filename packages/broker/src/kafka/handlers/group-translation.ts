// Shared by the Kafka group handlers (find-coordinator, join-group, sync-group, heartbeat,
// leave-group, offset-commit, offset-fetch): they hand the native group handlers a native request
// and read back a native answer. Pure.
import type { ApiDefinition } from '@weir/protocol'
import { kafkaCodeOfWeirCode } from '../kafka-errors.js'

/**
 * A native request built from a Kafka one, checked by the native API's own decoder: the same
 * field checks (group id length, timeouts, list sizes) a request on Weir's listener gets, and the
 * same INVALID_REQUEST naming the field when one fails.
 */
export function nativeRequest<Request>(api: ApiDefinition<Request, unknown>, body: object): Request {
  return api.decodeRequest(body)
}

/** A native answer's Weir error code as Kafka's; an absent code (success) is 0. */
export function kafkaCodeOf(weirErrorCode: number | undefined): number {
  return kafkaCodeOfWeirCode(weirErrorCode ?? 0)
}

/** Kafka's null for "absent" where the native request leaves the field out. */
export function absentIfNull<T>(value: T | null): T | undefined {
  return value === null ? undefined : value
}
