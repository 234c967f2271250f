// Shape check of a Raft message that arrived from a peer. The peer is another Weir broker, but the
// bytes still come off a socket: a wrong field is INVALID_REQUEST, never a crash inside the node.
import { type Fields, WeirError } from '@weir/protocol'
import { type Entry, EntryKind, type Message, type SnapshotInfo, type TermRun } from '@weir/raft'

const messageTypes = new Set([
  'append',
  'appendResponse',
  'heartbeat',
  'heartbeatResponse',
  'preVote',
  'vote',
  'preVoteResponse',
  'voteResponse',
  'snapshot',
  'timeoutNow',
])
const entryKinds = new Set<string>(Object.values(EntryKind))
const entriesMax = 100_000

function bad(path: string, expected: string): never {
  throw new WeirError('INVALID_REQUEST', `raft message field ${path} must be ${expected}`)
}

function int(fields: Fields, name: string, path: string): number {
  const value = fields[name]
  // -1 is Raft's "before the first index" in some fields (an empty log's match or commit).
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < -1)
    bad(`${path}.${name}`, 'an integer from -1')
  return value
}

function map(value: unknown, path: string): Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array)
    bad(path, 'a map')
  return value as Fields
}

function list(value: unknown, path: string, max: number): unknown[] {
  if (!Array.isArray(value) || value.length > max) bad(path, `an array of at most ${max} items`)
  return value
}

function entry(value: unknown, path: string): Entry {
  const fields = map(value, path)
  const kind = fields.kind
  if (typeof kind !== 'string' || !entryKinds.has(kind)) bad(`${path}.kind`, 'an entry kind')
  if (!(fields.data instanceof Uint8Array)) bad(`${path}.data`, 'binary')
  const span = int(fields, 'span', path)
  if (span < 1) bad(`${path}.span`, 'at least 1')
  return {
    index: int(fields, 'index', path),
    term: int(fields, 'term', path),
    span,
    kind: kind as Entry['kind'],
    data: fields.data,
  }
}

function termRuns(value: unknown, path: string): TermRun[] {
  return list(value, path, 1_000_000).map((item, index) => {
    const fields = map(item, `${path}[${index}]`)
    return { term: int(fields, 'term', path), startIndex: int(fields, 'startIndex', path) }
  })
}

function snapshot(value: unknown, path: string): SnapshotInfo {
  const fields = map(value, path)
  const config = map(fields.config, `${path}.config`)
  const voters = list(config.voters, `${path}.config.voters`, 1000).map((id) =>
    typeof id === 'number' && Number.isInteger(id) && id > 0
      ? id
      : bad(`${path}.config.voters`, 'broker ids'),
  )
  return {
    index: int(fields, 'index', path),
    term: int(fields, 'term', path),
    firstIndex: int(fields, 'firstIndex', path),
    termRuns: termRuns(fields.termRuns, `${path}.termRuns`),
    config: { voters },
  }
}

function boolean(fields: Fields, name: string, path: string): boolean {
  const value = fields[name]
  if (typeof value !== 'boolean') bad(`${path}.${name}`, 'a boolean')
  return value
}

/** Checks every field the message's type carries; returns a typed copy built from the checked values. */
export function checkRaftMessage(fields: Fields, path = 'message'): Message {
  const type = fields.type
  if (typeof type !== 'string' || !messageTypes.has(type)) bad(`${path}.type`, 'a Raft message type')
  const header = {
    from: int(fields, 'from', path),
    to: int(fields, 'to', path),
    term: int(fields, 'term', path),
  }
  switch (type) {
    case 'append':
      return {
        type,
        ...header,
        prevIndex: int(fields, 'prevIndex', path),
        prevTerm: int(fields, 'prevTerm', path),
        commit: int(fields, 'commit', path),
        entries: list(fields.entries, `${path}.entries`, entriesMax).map((item, index) =>
          entry(item, `${path}.entries[${index}]`),
        ),
      }
    case 'appendResponse':
      return {
        type,
        ...header,
        success: boolean(fields, 'success', path),
        matchIndex: int(fields, 'matchIndex', path),
        rejectedPrevIndex: int(fields, 'rejectedPrevIndex', path),
        hintIndex: int(fields, 'hintIndex', path),
        hintTerm: int(fields, 'hintTerm', path),
      }
    case 'heartbeat':
      return { type, ...header, commit: int(fields, 'commit', path) }
    case 'preVote':
    case 'vote':
      return {
        type,
        ...header,
        lastIndex: int(fields, 'lastIndex', path),
        lastTerm: int(fields, 'lastTerm', path),
        transfer: boolean(fields, 'transfer', path),
      }
    case 'preVoteResponse':
    case 'voteResponse':
      return { type, ...header, granted: boolean(fields, 'granted', path) }
    case 'snapshot':
      return { type, ...header, snapshot: snapshot(fields.snapshot, `${path}.snapshot`) }
    case 'heartbeatResponse':
      // lastIndex only from a follower that lost entries (see @weir/raft's repairThrough).
      return fields.lastIndex === undefined
        ? { type, ...header }
        : { type, ...header, lastIndex: int(fields, 'lastIndex', path) }
    case 'timeoutNow':
      return { type, ...header }
    default:
      return bad(`${path}.type`, 'a Raft message type')
  }
}
