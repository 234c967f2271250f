export { type BatchRecords, readBatchRecords, rewriteBatch } from './batch-rewrite.js'
export { cleanerCheckpointFileName } from './cleaner-checkpoint.js'
export { CleanerThrottle, throttleDelayMs } from './cleaner-throttle.js'
export {
  type CleanerPass,
  cleanerPassesMax,
  LatestOffsetMap,
  type PlannedRecord,
  recordPass,
  survivesClean,
  tombstoneCutoffOffset,
} from './compaction-plan.js'
export { type FileLock, lockFileName } from './directory-lock.js'
export { type FileIo, nodeFileIo, type OpenOptions } from './file-io.js'
export { type CleanOptions, type CleanResult, cleanedSuffix, defaultCleanerKeysMax } from './log-cleaner.js'
export { defaultLogConfig, type FsyncPolicy, type LogConfig, resolveLogConfig } from './log-config.js'
export { type CorruptionCut, type CorruptionPolicy, LogCorruption } from './log-corruption.js'
export { logMetaFileName } from './log-directory.js'
export {
  type FailNextOptions,
  type FaultHook,
  type FileOperation,
  type InjectedFault,
  MemoryFileIo,
  type MemoryFileIoOptions,
} from './memory-file-io.js'
export {
  type AppendOptions,
  type AppendResult,
  PartitionLog,
  type PartitionLogOptions,
  type ReadResult,
  type RetentionResult,
} from './partition-log.js'
export { type SegmentSummary, segmentsToDelete } from './retention.js'
export { segmentFileName } from './segment.js'
export type { RecoveryReport } from './segment-recovery.js'
export { SparseIndex } from './sparse-index.js'
export {
  type ResolvedStorageEnvironment,
  resolveStorageEnvironment,
  type StorageEnvironment,
} from './storage-environment.js'
export { type SyncObserver, type SyncRoundStats, SyncRounds, type SyncScheduler } from './sync-rounds.js'
export {
  type CreateTopicOptions,
  checkTopicName,
  type ProducedRecord,
  partitionCountMax,
  Topic,
  type TopicMetadata,
  type TopicOptions,
} from './topic.js'
export { dataMarkerFileName, TopicStore } from './topic-store.js'
