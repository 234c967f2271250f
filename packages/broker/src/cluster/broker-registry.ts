// The brokers of a cluster as the controller log records them. A cluster starts with the brokers
// of --peers; `weir cluster add-broker` commits brokerRegistered and `remove-broker` commits
// brokerRemoved. The brokers are the --peers entries, plus those registered, minus those removed:
// a broker restarted with its old --peers still knows a broker added later (its address is in the
// log), and forgets one removed since. Pure: every broker applies the same records in the same
// order, so every broker agrees on the membership once it applied the same prefix of the log.
import { checkPeers, type Peer } from './peers.js'

export type BrokerRecord =
  | {
      readonly type: 'brokerRegistered'
      readonly id: number
      readonly host: string
      /** The client port (Metadata). */
      readonly port: number
      /** The peer port (Raft traffic, controller proposals). */
      readonly peerPort: number
    }
  | { readonly type: 'brokerRemoved'; readonly id: number }

export const brokerRecordTypes: readonly string[] = ['brokerRegistered', 'brokerRemoved']

export function isBrokerRecord(record: { readonly type: string }): record is BrokerRecord {
  return brokerRecordTypes.includes(record.type)
}

const brokerIdMax = 2 ** 31 - 1

/** Shape check of a broker record from a peer or the log; `bad` builds the caller's typed error. */
export function checkBrokerRecord(
  record: Record<string, unknown>,
  bad: (why: string) => Error,
): BrokerRecord {
  const { id } = record
  if (!Number.isInteger(id) || (id as number) < 1 || (id as number) > brokerIdMax)
    throw bad(`${String(record.type)}.id must be a broker id from 1 to ${brokerIdMax}`)
  if (record.type === 'brokerRemoved') return { type: 'brokerRemoved', id: id as number }
  try {
    // The same rules as --peers: a host, fixed ports, the peer port apart from the client port.
    const [peer] = checkPeers(
      [
        {
          id: id as number,
          host: record.host as string,
          port: record.port as number,
          peerPort: record.peerPort as number,
        },
      ],
      'brokerRegistered',
    )
    return { type: 'brokerRegistered', ...peer! }
  } catch (error) {
    throw bad((error as Error).message)
  }
}

export class BrokerRegistry {
  private readonly registered = new Map<number, Peer>()
  private readonly removed = new Set<number>()

  apply(record: BrokerRecord): void {
    if (record.type === 'brokerRemoved') {
      this.registered.delete(record.id)
      this.removed.add(record.id)
      return
    }
    const { id, host, port, peerPort } = record
    this.registered.set(id, { id, host, port, peerPort })
    this.removed.delete(id)
  }

  /** The brokers of the cluster, by id: `configured` (--peers), plus registered, minus removed. */
  brokers(configured: readonly Peer[]): Peer[] {
    const byId = new Map<number, Peer>()
    for (const peer of configured) if (!this.removed.has(peer.id)) byId.set(peer.id, peer)
    // A committed address wins over --peers: every broker then dials the same one.
    for (const peer of this.registered.values()) byId.set(peer.id, peer)
    return [...byId.values()].sort((left, right) => left.id - right.id)
  }
}
