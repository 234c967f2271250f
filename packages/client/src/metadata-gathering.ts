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

export interface Gathered {
  readonly response: MetadataResponse
  /** The address whose answer was used first: the next refresh starts there. */
  readonly firstAnswer: string
  /** What the merged answer still lacks after asking every source (no leader known by any broker). */
  readonly gap: string | undefined
}

type Settled =
  | { readonly index: number; readonly response: MetadataResponse }
  | { readonly index: number; readonly error: unknown }
  | 'hedge'

/** Asks `sources` as described above. BROKER_UNAVAILABLE naming each source and its error when none answers. */
export async function gatherMetadata(gathering: Gathering): Promise<Gathered> {
  const { sources, timers } = gathering
  if (sources.length === 0) throw new WeirError('BROKER_UNAVAILABLE', 'no broker address is known')
  const pending = new Map<number, Promise<Settled>>()
  const failures: string[] = []
  let asked = 0
  let merged: MetadataResponse | undefined
  let firstAnswer: string | undefined
  const askNext = () => {
    const index = asked++
    const attempt = gathering.ask(sources[index]!).then(
      (response): Settled => ({ index, response }),
      (error: unknown): Settled => ({ index, error }),
    )
    pending.set(index, attempt)
  }
  askNext()
  for (;;) {
    // With every source asked, the hedge bounds the wait for the slow ones once one has answered.
    const canHedge = asked < sources.length || merged !== undefined
    let hedgeTimer: ReturnType<Timers['setTimeout']> | undefined
    const hedge = canHedge
      ? new Promise<Settled>((resolve) => {
          hedgeTimer = timers.setTimeout(() => resolve('hedge'), gathering.hedgeMs)
        })
      : undefined
    const settled = await Promise.race(hedge === undefined ? pending.values() : [...pending.values(), hedge])
    timers.clear(hedgeTimer)
    if (settled === 'hedge') {
      if (asked < sources.length) askNext()
      else if (merged !== undefined)
        return { response: merged, firstAnswer: firstAnswer!, gap: gathering.gap(merged) }
      continue
    }
    pending.delete(settled.index)
    const address = addressOf(sources[settled.index]!)
    if ('response' in settled) {
      merged = mergeMetadata(merged, settled.response)
      firstAnswer ??= address
      if (gathering.gap(merged) === undefined) return { response: merged, firstAnswer, gap: undefined }
    } else {
      if (gathering.fatal(settled.error)) throw settled.error
      failures.push(
        `${address} (${settled.error instanceof Error ? settled.error.message : String(settled.error)})`,
      )
    }
    if (asked < sources.length) askNext()
    else if (merged !== undefined)
      return { response: merged, firstAnswer: firstAnswer!, gap: gathering.gap(merged) }
    else if (pending.size === 0) {
      throw new WeirError('BROKER_UNAVAILABLE', `no broker answered Metadata; tried ${failures.join(', ')}`, {
        cause: 'error' in settled ? settled.error : undefined,
      })
    }
  }
}
