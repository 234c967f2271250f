// `weir cluster add-broker`, `remove-broker` and `rebalance`: growing and shrinking a cluster.
// add-broker registers a broker that is already running (started with --id and --peers naming
// every broker, itself included). remove-broker first moves every replica off the broker
// (decommission) unless --no-move, then removes it. rebalance spreads replicas and preferred
// leaders evenly over the brokers. Moves go through partition reassignment, with progress.
import { type Admin, planDecommission, planRebalance } from '@weir/client'
import { UsageError } from './flags.js'
import { integerFlag } from './numeric-flags.js'
import { carryOut, currentPlacements, describeMoves } from './partition-moves.js'

export const membershipHelp = `  weir cluster add-broker ID --address HOST:PORT[/PEERPORT]
  weir cluster remove-broker ID [--no-move] [--throttle-bytes-per-sec N]
  weir cluster rebalance [--throttle-bytes-per-sec N] [--dry-run]`

export const membershipFlagsHelp = `  --address HOST:PORT[/PEERPORT]  add-broker: the new broker's client address (its --listen) and
                            peer port (default PORT + 1), as written in its --peers entry
  --no-move                 remove-broker: refuse (naming the partitions) instead of moving
                            replicas away first
  --throttle-bytes-per-sec N  copy at most N bytes per second per moved replica (default: unthrottled)
  --dry-run                 rebalance: print the moves, change nothing`

export const membershipFlagOptions = {
  address: { type: 'string' },
  'no-move': { type: 'boolean' },
  'throttle-bytes-per-sec': { type: 'string' },
  'dry-run': { type: 'boolean' },
} as const

export interface MembershipFlags {
  readonly address?: string | undefined
  readonly 'no-move'?: boolean | undefined
  readonly 'throttle-bytes-per-sec'?: string | undefined
  readonly 'dry-run'?: boolean | undefined
}

export const membershipActions = ['add-broker', 'remove-broker', 'rebalance'] as const
export type MembershipAction = (typeof membershipActions)[number]

export function isMembershipAction(action: string): action is MembershipAction {
  return (membershipActions as readonly string[]).includes(action)
}

/** Runs one membership action, writing what it does and its progress. */
export async function runMembership(
  admin: Admin,
  action: MembershipAction,
  positionals: readonly string[],
  flags: MembershipFlags,
  write: (text: string) => void,
): Promise<void> {
  const throttleBytesPerSec = integerFlag(flags['throttle-bytes-per-sec'], '--throttle-bytes-per-sec')
  if (action === 'rebalance') {
    if (positionals.length > 0) throw new UsageError(`unexpected arguments: ${positionals.join(' ')}`)
    const { brokers, partitions } = await currentPlacements(admin)
    const moves = planRebalance(brokers, partitions)
    if (moves.length === 0)
      return write(`the cluster is balanced over brokers ${brokers.join(', ')}; nothing to move\n`)
    write(
      `${flags['dry-run'] ? 'would move' : 'moving'} ${moves.length} partitions:\n${describeMoves(moves, partitions)}`,
    )
    if (flags['dry-run']) return
    await carryOut(admin, moves, { throttleBytesPerSec, write })
    return write('rebalanced; leaders follow the first replicas within seconds\n')
  }
  const [idText, ...extra] = positionals
  if (idText === undefined) throw new UsageError(`cluster ${action} needs a broker ID`)
  if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`)
  const id = integerFlag(idText, '--id')!
  if (action === 'add-broker') {
    const { host, port, peerPort } = parseAddress(flags.address)
    await admin.addBroker({ id, host, port, peerPort })
    write(
      `broker ${id} added (${host}:${port}, peer port ${peerPort}); move replicas onto it with \`weir cluster rebalance\`\n`,
    )
    return
  }
  if (!flags['no-move']) {
    const { brokers, partitions } = await currentPlacements(admin)
    const moves = planDecommission(id, brokers, partitions)
    if (moves.length > 0) {
      write(`moving ${moves.length} partitions off broker ${id}:\n${describeMoves(moves, partitions)}`)
      await carryOut(admin, moves, { throttleBytesPerSec, write })
    }
  }
  await admin.removeBroker(id)
  write(`broker ${id} removed; it may be stopped now\n`)
}

/** `HOST:PORT[/PEERPORT]` (IPv6 as `[::1]:7171`), as in a --peers entry; the peer port defaults to PORT + 1. */
export function parseAddress(value: string | undefined): { host: string; port: number; peerPort: number } {
  if (value === undefined) throw new UsageError('add-broker needs --address HOST:PORT[/PEERPORT]')
  const match = /^(?:\[([^\]]+)\]|([^:/\s]+)):(\d{1,5})(?:\/(\d{1,5}))?$/.exec(value)
  const host = match?.[1] ?? match?.[2]
  const port = Number(match?.[3])
  const peerPort = match?.[4] === undefined ? port + 1 : Number(match[4])
  const valid = (candidate: number) => Number.isInteger(candidate) && candidate >= 1 && candidate <= 65_535
  if (!host || !valid(port) || !valid(peerPort) || peerPort === port)
    throw new UsageError(
      `--address must be HOST:PORT[/PEERPORT] with fixed, distinct ports (e.g. 10.0.0.4:7171 or 10.0.0.4:7171/7181), got ${JSON.stringify(value)}`,
    )
  return { host, port, peerPort }
}
