// Raft timing of every group unless weir.json's `raft` says otherwise.
// Election timeouts of 0.8 to 1.6 s; heartbeats every 100 ms; Kafka's replica.lag.time.max.ms is 30 s.
export const defaultClusterTiming = {
  tickMs: 50,
  electionTicks: 16,
  heartbeatTicks: 2,
  maxReplicaLagMs: 10_000,
} as const
