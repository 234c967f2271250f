// How loudly a broker logs a Raft group's leader change. Every broker sees every election of
// every group it hosts (the offsets topic alone is 16 groups), first as "no leader", then as "led
// by N": at info a 3-broker cluster printed about 60 such lines per broker at start and again
// after each failover. At info each change is logged once, by the broker that won it; the
// others' view of it, and every leaderless interval, is debug.

export type LeadershipLogLevel = 'info' | 'debug'

/**
 * The level of the "GROUP is led by broker N" / "GROUP has no leader" line on broker `selfId`.
 * `leaderId` 0 means no leader. A broker alone elects itself for every group at each start:
 * nothing there for an operator, all debug.
 */
export function leadershipLogLevel(leaderId: number, selfId: number, alone: boolean): LeadershipLogLevel {
  return !alone && leaderId !== 0 && leaderId === selfId ? 'info' : 'debug'
}
