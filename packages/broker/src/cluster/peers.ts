// The --peers list: `id@host:clientPort/peerPort,...`, every broker of the cluster including this
// one. The same list on every broker is the controller group's membership. Clients are told the
// client ports (Metadata); brokers dial each other's peer ports only. `/peerPort` may be left out:
// it is then clientPort + 1 (so `1@127.0.0.1:7171` is peer port 7172).
import { WeirError } from '@weir/protocol'
import { parseListen } from '../listen-address.js'

export interface Peer {
  readonly id: number
  readonly host: string
  /** Where clients reach this broker (Metadata, FindCoordinator). */
  readonly port: number
  /** Where other brokers reach it (Raft messages, controller proposals, restore fetches). */
  readonly peerPort: number
}

/** A peer as written in weir.json or passed to Broker.start: peerPort may be left out. */
export interface PeerInput {
  readonly id: number
  readonly host: string
  readonly port: number
  readonly peerPort?: number
}

export const peersMax = 64

export function parsePeers(value: string, key = 'peers'): Peer[] {
  const items = value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
  return checkPeers(
    items.map((item) => parsePeer(item, key)),
    key,
  )
}

function parsePeer(item: string, key: string): PeerInput {
  const match = /^(\d{1,9})@(.+?)(?:\/(\d{1,5}))?$/.exec(item)
  if (!match) {
    throw new WeirError(
      'INVALID_CONFIG',
      `${key}: ${JSON.stringify(item)} is not id@host:port[/peerPort], e.g. 1@127.0.0.1:7171 or 1@127.0.0.1:7171/7181`,
    )
  }
  const { host, port } = parseListen(match[2]!, key)
  return {
    id: Number(match[1]),
    host,
    port,
    ...(match[3] !== undefined ? { peerPort: Number(match[3]) } : {}),
  }
}

/**
 * Checks a peer list from flags or weir.json and fills each peerPort: ids positive and distinct,
 * ports fixed (non-zero) and no address used twice (a peer port on another broker's client port
 * would send one broker's clients to the other's peer listener).
 */
export function checkPeers(peers: readonly PeerInput[], key = 'peers'): Peer[] {
  if (!Array.isArray(peers) || peers.length === 0 || peers.length > peersMax) {
    throw new WeirError(
      'INVALID_CONFIG',
      `${key} must list from 1 to ${peersMax} brokers as id@host:port[/peerPort]`,
    )
  }
  const ids = new Set<number>()
  const checked = peers.map((peer) => checkPeer(peer, key))
  for (const peer of checked) {
    if (ids.has(peer.id))
      throw new WeirError('INVALID_CONFIG', `${key}: broker id ${peer.id} is listed twice`)
    ids.add(peer.id)
  }
  checkDistinctAddresses(checked, key)
  return checked
}

function checkPeer(peer: PeerInput, key: string): Peer {
  if (typeof peer !== 'object' || peer === null) {
    throw new WeirError('INVALID_CONFIG', `${key}: each broker must be { id, host, port, peerPort? }`)
  }
  if (!Number.isInteger(peer.id) || peer.id < 1 || peer.id > 2 ** 31 - 1) {
    throw new WeirError(
      'INVALID_CONFIG',
      `${key}: broker ids must be integers from 1 to ${2 ** 31 - 1}, got ${JSON.stringify(peer.id)}`,
    )
  }
  if (typeof peer.host !== 'string' || peer.host === '') {
    throw new WeirError(
      'INVALID_CONFIG',
      `${key}: broker ${peer.id} needs a host, got ${JSON.stringify(peer.host)}`,
    )
  }
  const peerPort = peer.peerPort ?? peer.port + 1
  for (const [name, port] of [
    ['port', peer.port],
    ['peerPort', peerPort],
  ] as const) {
    if (!Number.isInteger(port) || port < 1 || port > 65_535) {
      throw new WeirError(
        'INVALID_CONFIG',
        `${key}: broker ${peer.id} needs a fixed ${name} from 1 to 65535 (peers dial it, so not 0), got ${JSON.stringify(port)}`,
      )
    }
  }
  return { id: peer.id, host: peer.host, port: peer.port, peerPort }
}

function checkDistinctAddresses(peers: readonly Peer[], key: string): void {
  const owners = new Map<string, string>()
  for (const peer of peers) {
    for (const [what, port] of [
      ['client port', peer.port],
      ['peer port', peer.peerPort],
    ] as const) {
      const address = `${peer.host}:${port}`
      const owner = `broker ${peer.id}'s ${what}`
      const other = owners.get(address)
      if (other !== undefined) {
        throw new WeirError(
          'INVALID_CONFIG',
          `${key}: ${address} is both ${other} and ${owner}; give each its own port (write id@host:port/peerPort, the peer port defaults to port + 1)`,
        )
      }
      owners.set(address, owner)
    }
  }
}
