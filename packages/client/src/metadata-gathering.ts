// One metadata refresh asked of several brokers. Sources are asked one at a time, best first;
// the next one is asked at once when an answer leaves a gap (a partition without a leader, or
// led by a broker this client cannot reach), when a source fails, or when a source has not
// answered within hedgeMs (a paused broker keeps its TCP connection open and never answers, so
// waiting for its request timeout would stall every caller). Slower sources keep running; once
// every source was asked and one answered, the slow ones get at most hedgeMs more. Answers are merged (see
// metadata-merge.ts). Timers are injected: no clock of its own.
import { type MetadataResponse, type Timers, WeirError } from '@weir/protocol'
import { mergeMetadata } from './metadata-merge.js'

/** A broker to ask: its id when metadata named it, else a bootstrap address. */
export interface MetadataSource {
  readonly id?: number
  readonly host: string
  readonly port: number
}

export const addressOf = (source: { readonly host: string; readonly port: number }): string =>
  `${source.host}:${source.port}`

export interface SourceOrder {
  /** Brokers that lately timed out or refused a connection: asked last. */
  readonly unreachable: (address: string) => boolean
  /** The broker whose answer just proved wrong (NOT_LEADER, no leader): asked last. */
  readonly avoid?: number | undefined
  /** The broker whose answer was good last time: asked first. */
  readonly preferred?: string | undefined
}

/** Known brokers and bootstrap addresses, each once: the preferred, then the rest, then the doubtful. */
export function orderSources(candidates: readonly MetadataSource[], order: SourceOrder): MetadataSource[] {
  const unique = new Map<string, MetadataSource>()
  for (const candidate of candidates) {
    const address = addressOf(candidate)
    const known = unique.get(address)
    if (known === undefined || (known.id === undefined && candidate.id !== undefined))
      unique.set(address, candidate)
  }
  const rank = (source: MetadataSource): number => {
    const address = addressOf(source)
    if (order.unreachable(address)) return 3
    if (source.id !== undefined && source.id === order.avoid) return 2
    return address === order.preferred ? 0 : 1
  }
  // Array.prototype.sort is stable: equal ranks keep the candidates' order.
  return [...unique.values()].sort((a, b) => rank(a) - rank(b))
}

export interface Gathering {
  readonly sources: readonly MetadataSource[]
  readonly ask: (source: MetadataSource) => Promise<MetadataResponse>
  /** Why the merged answer is not enough yet; undefined when it is. */
  readonly gap: (response: MetadataResponse) => string | undefined
  /** Errors no other broker can fix (a wrong password, a closed client): thrown as they are. */
  readonly fatal: (error: unknown) => boolean
  /** How long one source may take before the next is asked too. */
  readonly hedgeMs: number
  readonly timers: Timers
}

export interface Gathered<T = MetadataResponse> {
  readonly response: T
  /** The address whose answer was used first: the next refresh starts there. */
  readonly firstAnswer: string
  /** What the merged answer still lacks after asking every source (no leader known by any broker). */
  readonly gap: string | undefined
}

/** Asks `sources` as described above. BROKER_UNAVAILABLE naming each source and its error when none answers. */
export function gatherMetadata(
  gathering: Gathering & Pick<InTurn<MetadataResponse>, 'skip'>,
): Promise<Gathered> {
  return askInTurn({ ...gathering, merge: mergeMetadata, what: 'Metadata' })
}

export interface InTurn<T> {
  readonly sources: readonly MetadataSource[]
  readonly ask: (source: MetadataSource) => Promise<T>
  /** Folds a new answer into what is known so far. */
  readonly merge: (current: T | undefined, next: T) => T
  readonly gap: (answer: T) => string | undefined
  /** Sources not worth asking given the answers so far (default: none); they count as asked. */
  readonly skip?: (source: MetadataSource, merged: T | undefined) => boolean
  readonly fatal: (error: unknown) => boolean
  readonly hedgeMs: number
  readonly timers: Timers
  /** The request's name, for the error when no source answers. */
  readonly what: string
}

type Settled<T> =
  | { readonly index: number; readonly response: T }
  | { readonly index: number; readonly error: unknown }
  | 'hedge'

/**
 * The loop behind gatherMetadata, for any request several brokers can answer: asks the sources in
 * turn (the next when an answer leaves a gap, a source fails, or hedgeMs pass without an answer),
 * merging answers, until one leaves no gap or every source was asked.
 */
export async function askInTurn<T>(turn: InTurn<T>): Promise<Gathered<T>> {
  const { sources, timers } = turn
  if (sources.length === 0) throw new WeirError('BROKER_UNAVAILABLE', 'no broker address is known')
  const pending = new Map<number, Promise<Settled<T>>>()
  const failures: string[] = []
  let asked = 0
  let merged: T | undefined
  let firstAnswer: string | undefined
  // Sources the answers so far make pointless are passed over (see InTurn.skip).
  const moreToAsk = () => {
    while (asked < sources.length && turn.skip?.(sources[asked]!, merged) === true) asked++
    return asked < sources.length
  }
  const askNext = () => {
    const index = asked++
    const attempt = turn.ask(sources[index]!).then(
      (response): Settled<T> => ({ index, response }),
      (error: unknown): Settled<T> => ({ index, error }),
    )
    pending.set(index, attempt)
  }
  const done = (): Gathered<T> => ({ response: merged!, firstAnswer: firstAnswer!, gap: turn.gap(merged!) })
  askNext()
  for (;;) {
    // With every source asked, the hedge bounds the wait for the slow ones once one has answered.
    const canHedge = moreToAsk() || merged !== undefined
    let hedgeTimer: ReturnType<Timers['setTimeout']> | undefined
    const hedge = canHedge
      ? new Promise<Settled<T>>((resolve) => {
          hedgeTimer = timers.setTimeout(() => resolve('hedge'), turn.hedgeMs)
        })
      : undefined
    const settled = await Promise.race(hedge === undefined ? pending.values() : [...pending.values(), hedge])
    timers.clear(hedgeTimer)
    if (settled === 'hedge') {
      if (moreToAsk()) askNext()
      else if (merged !== undefined) return done()
      continue
    }
    pending.delete(settled.index)
    const address = addressOf(sources[settled.index]!)
    if ('response' in settled) {
      merged = turn.merge(merged, settled.response)
      firstAnswer ??= address
      if (turn.gap(merged) === undefined) return done()
    } else {
      if (turn.fatal(settled.error)) throw settled.error
      failures.push(
        `${address} (${settled.error instanceof Error ? settled.error.message : String(settled.error)})`,
      )
    }
    if (moreToAsk()) askNext()
    else if (merged !== undefined) return done()
    else if (pending.size === 0) {
      throw new WeirError(
        'BROKER_UNAVAILABLE',
        `no broker answered ${turn.what}; tried ${failures.join(', ')}`,
        {
          cause: 'error' in settled ? settled.error : undefined,
        },
      )
    }
  }
}
