export { decodeConfig, encodeConfig } from './config.js'
export { RaftNode } from './raft.js'
export {
  type ClusterConfig,
  type CommittedPrefix,
  type Entry,
  EntryKind,
  type HardState,
  type Message,
  type NodeId,
  type ProgressState,
  type ProgressView,
  type ProposeResult,
  type RaftOptions,
  type Ready,
  type Restore,
  type RestoredState,
  type Role,
  type SnapshotInfo,
  type SoftState,
  type TermRun,
} from './types.js'
