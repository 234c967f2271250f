// Shared by the Kafka group handlers (find-coordinator, join-group, sync-group, heartbeat,
// leave-group, offset-commit, offset-fetch): they hand the native group handlers a native request
// and read back a native answer. Pure. Each native request goes through the native API's own
// decodeRequest, so it gets the field checks (and INVALID_REQUEST naming the field) a request on
// Weir's listener gets.

/** Kafka's null for "absent" where the native request leaves the field out. */
export function absentIfNull<T>(value: T | null): T | undefined {
  return value === null ? undefined : value
}
