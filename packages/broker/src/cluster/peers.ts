// The --peers list: `id@host:port,...`, every broker of the cluster including this one. The
// same list on every broker is the controller group's membership.
import { WeirError } from '@weir/protocol'
import { parseListen } from '../listen-address.js'

export interface Peer {
  readonly id: number
  readonly host: string
  readonly port: number
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

function parsePeer(item: string, key: string): Peer {
  const match = /^(\d{1,9})@(.+)$/.exec(item)
  if (!match) {
    throw new WeirError(
      'INVALID_CONFIG',
      `${key}: ${JSON.stringify(item)} is not id@host:port, e.g. 1@127.0.0.1:7171`,
    )
  }
  const { host, port } = parseListen(match[2]!, key)
  return { id: Number(match[1]), host, port }
}

/** Checks a peer list from flags or weir.json: ids positive and distinct, ports non-zero. */
export function checkPeers(peers: readonly Peer[], key = 'peers'): Peer[] {
  if (peers.length === 0 || peers.length > peersMax) {
    throw new WeirError('INVALID_CONFIG', `${key} must list from 1 to ${peersMax} brokers as id@host:port`)
  }
  const ids = new Set<number>()
  for (const peer of peers) {
    if (!Number.isInteger(peer.id) || peer.id < 1) {
      throw new WeirError('INVALID_CONFIG', `${key}: broker ids must be integers from 1, got ${peer.id}`)
    }
    if (ids.has(peer.id))
      throw new WeirError('INVALID_CONFIG', `${key}: broker id ${peer.id} is listed twice`)
    if (peer.port === 0) {
      throw new WeirError(
        'INVALID_CONFIG',
        `${key}: broker ${peer.id} needs a fixed port, not 0 (peers dial it)`,
      )
    }
    ids.add(peer.id)
  }
  return [...peers]
}
