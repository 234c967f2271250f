// The consumer-group coordinator's pure core: state machine, limits, __consumer_offsets records.
export { GroupCoordinator, type GroupCoordinatorOptions } from './group-coordinator.js'
export { defaultGroupLimits, type GroupLimits, resolveGroupLimits } from './group-limits.js'
export {
  errorOf,
  type GroupEvent,
  type GroupOutput,
  type GroupResponse,
  type RequestId,
} from './group-output.js'
export {
  type CommittedOffset,
  decodeGroupLogRecord,
  encodeGroupLogEntry,
  type GroupLogEntry,
  type GroupLogRecord,
  type GroupMetadataValue,
  offsetsPartitionFor,
  offsetsTopic,
  type StoredMember,
} from './group-records.js'
export { type ClientAddress, Group, type GroupMember } from './group-state.js'
