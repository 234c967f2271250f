// Which failures of a group coordinator's writes are the cluster working as designed: leadership
// of its __consumer_offsets partition moved (a failover, a hand-off, a drain, a preferred-leader
// handback) or the broker is closing. Those are expected and logged without alarm; anything else
// (a disk error) stays an error with its stack.
import { isWeirError } from '@weir/protocol'

export function isLeadershipMove(error: unknown): boolean {
  return isWeirError(error, 'NOT_LEADER') || isWeirError(error, 'BROKER_SHUTTING_DOWN')
}
