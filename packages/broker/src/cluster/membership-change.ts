// Adding and removing a broker, run on the controller leader. Adding: commit brokerRegistered
// (every broker then links to the new one and accepts its traffic), then make it a controller voter
// with one Raft single-server change; it catches up from the leader's log as a voter. Removing:
// refused while a partition still names the broker; otherwise the voter goes first (committed by
// the remaining voters), then brokerRemoved (every broker drops its link). A leader asked to
// remove itself hands controller leadership to a caught-up voter and answers NOT_LEADER, so the
// client retries on the new leader. Each step is idempotent: a request repeated after a crash
// between the two steps finishes the job.
import { delay, isWeirError, WeirError } from '@weir/protocol'
import type { BrokerEnvironment } from '../environment.js'
import { checkBrokerProposal } from './broker-proposal-check.js'
import type { ClusterImage, MetadataRecord } from './cluster-image.js'
import type { Peer } from './peers.js'
import type { RaftReplica } from './raft-replica.js'

/** What a membership change needs of the cluster on the controller leader. */
export interface MembershipHost {
  readonly selfId: number
  readonly image: ClusterImage
  readonly controllerRaft: Pick<
    RaftReplica,
    'isLeader' | 'leaderId' | 'voters' | 'changeVoters' | 'transferTo' | 'caughtUp'
  >
  readonly environment: Pick<BrokerEnvironment, 'clock' | 'timers'>
  brokers(): Peer[]
  proposeHere(record: MetadataRecord): Promise<void>
}

/** Between attempts of a voter change refused because another one is still uncommitted. */
const retryMs = 100

export async function addBroker(host: MembershipHost, peer: Peer, timeoutMs: number): Promise<void> {
  requireLeader(host)
  await host.proposeHere({ type: 'brokerRegistered', ...peer })
  if (!host.controllerRaft.voters.includes(peer.id)) await changeVoters(host, { add: peer.id }, timeoutMs)
}

export async function removeBroker(host: MembershipHost, id: number, timeoutMs: number): Promise<void> {
  requireLeader(host)
  // Refused before the voter changes: a broker still holding replicas keeps its vote too.
  checkBrokerProposal(
    { type: 'brokerRemoved', id },
    { image: host.image, brokerIds: [], brokers: host.brokers() },
  )
  if (id === host.selfId) handOffController(host)
  if (host.controllerRaft.voters.includes(id)) await changeVoters(host, { remove: id }, timeoutMs)
  await host.proposeHere({ type: 'brokerRemoved', id })
}

function requireLeader(host: MembershipHost): void {
  const raft = host.controllerRaft
  if (raft.isLeader) return
  const where =
    raft.leaderId === 0 ? 'no controller is elected yet' : `broker ${raft.leaderId} is the controller`
  throw new WeirError(
    'NOT_LEADER',
    `broker ${host.selfId} is not the controller leader (${where}); retry there`,
  )
}

/** Starts handing controller leadership to a voter that holds the whole log; always throws NOT_LEADER. */
function handOffController(host: MembershipHost): never {
  const others = host.controllerRaft.voters.filter((voter) => voter !== host.selfId)
  const to = others.find((voter) => host.controllerRaft.transferTo(voter))
  const moving =
    to === undefined ? 'no other voter has the whole log yet' : `leadership moves to broker ${to}`
  throw new WeirError(
    'NOT_LEADER',
    `broker ${host.selfId} leads the controller and is the one removed: ${moving}; retry on the new controller`,
  )
}

/** One voter change, retried while another change is uncommitted, until `timeoutMs`. */
async function changeVoters(
  host: MembershipHost,
  change: { readonly add: number } | { readonly remove: number },
  timeoutMs: number,
): Promise<void> {
  const { clock, timers } = host.environment
  const deadline = clock.now() + timeoutMs
  for (;;) {
    try {
      requireLeader(host)
      await host.controllerRaft.changeVoters(change)
      return
    } catch (error) {
      const pending = isWeirError(error, 'NOT_LEADER') && host.controllerRaft.isLeader
      if (!pending) throw error
      if (clock.now() + retryMs > deadline)
        throw new WeirError(
          'REQUEST_TIMED_OUT',
          `the controller could not change its voters within ${timeoutMs} ms (${error.message}); retry`,
        )
      await delay(timers, retryMs)
    }
  }
}
