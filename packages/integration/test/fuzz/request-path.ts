// Drives mutated request frames into a broker over real TCP. Frames go out in rounds on parallel
// connections: each round pipelines up to `frameRoundMax` frames and then a valid ApiVersions
// (the sentinel); a frame with a lying length field is sent last, after the sentinel's answer,
// since the connection cannot be read past it. A round ends when the sentinel is answered (every
// earlier frame was then read and started), the broker closes the connection, or `roundMs` passes.
import { connect, type Socket } from 'node:net'
import {
  ApiKeys,
  decodeBody,
  ErrorCodes,
  encodeBody,
  encodeRequestFrame,
  FrameReader,
  parseResponseFrame,
} from '@weir/protocol'
import fc from 'fast-check'
import type { CorpusRequest } from './corpus.js'
import { buildFrame, type MutatedFrame, mutatedFrameArbitrary } from './mutations.js'

export interface FuzzOptions {
  readonly host: string
  readonly port: number
  readonly corpus: readonly CorpusRequest[]
  readonly frames: number
  readonly seed: number
  readonly connections?: number
  readonly frameRoundMax?: number
  readonly roundMs?: number
  /** Send every corpus entry once, unmutated and in order (`frames` is then ignored). */
  readonly eachOnce?: boolean
  /** Called after each round with the frames sent so far. */
  readonly onProgress?: (stats: FuzzStats) => void
}

export interface FuzzStats {
  /** Mutated frames written to the broker. */
  sent: number
  /**
   * Mutated frames the broker certainly read and dispatched: every frame of a round whose sentinel
   * was answered (the broker starts requests in the order read), otherwise one per answer.
   */
  confirmed: number
  rounds: number
  /** Responses read (the sentinels included). */
  answered: number
  /** Rounds the broker ended by closing the connection (a framing error, as it must). */
  closedByBroker: number
  /** Rounds cut at `roundMs` with the sentinel unanswered. */
  held: number
  /** Rounds whose connection was refused or reset before the sentinel (a broker limit, or worse). */
  connectFailures: number
  /** UNKNOWN_SERVER_ERROR answers by message: an untyped exception inside the broker, a bug. */
  readonly unknownServerErrors: Map<string, number>
}

const sentinelCorrelationId = 0x7fff_fff0
const unknownServerErrorCode = ErrorCodes.UNKNOWN_SERVER_ERROR.code

export async function fuzzRequestPath(options: FuzzOptions): Promise<FuzzStats> {
  const stats: FuzzStats = {
    sent: 0,
    confirmed: 0,
    rounds: 0,
    answered: 0,
    closedByBroker: 0,
    held: 0,
    connectFailures: 0,
    unknownServerErrors: new Map(),
  }
  const connections = options.connections ?? 16
  const frameRoundMax = options.frameRoundMax ?? 400
  const arbitrary = mutatedFrameArbitrary(true)
  let nextSeed = options.seed
  // Frames drawn for rounds still running: a round cut short (a lying length, a held request)
  // confirms fewer, so the loop runs until `frames` were certainly read by the broker.
  let reserved = 0
  let nextEntry = 0
  const wanted = options.eachOnce ? options.corpus.length : options.frames
  const worker = async (): Promise<void> => {
    while (options.eachOnce ? nextEntry < wanted : stats.confirmed + reserved < wanted) {
      const count = Math.min(
        frameRoundMax,
        options.eachOnce ? wanted - nextEntry : wanted - stats.confirmed - reserved,
      )
      reserved += count
      // Each round draws its frames from its own seed: a failing round can be replayed alone.
      const frames = options.eachOnce
        ? Array.from({ length: count }, () => ({ sample: nextEntry++, mutations: [] }))
        : fc.sample(arbitrary, { numRuns: count, seed: nextSeed++ })
      const { sent, confirmed } = await runRound(options, frames, stats)
      stats.sent += sent
      stats.confirmed += confirmed
      reserved -= count
      stats.rounds++
      options.onProgress?.(stats)
    }
  }
  await Promise.all(Array.from({ length: connections }, () => worker()))
  return stats
}

/**
 * Resolves with how many mutated frames went out and how many the broker certainly dispatched.
 * A frame with a lying length goes out alone after the sentinel was answered: the broker cannot
 * read past it (it closes, or waits for bytes that never come), so it ends the round.
 */
function runRound(
  options: FuzzOptions,
  frames: readonly MutatedFrame[],
  stats: FuzzStats,
): Promise<{ sent: number; confirmed: number }> {
  const lie = frames.findIndex((frame) => frame.lengthLie)
  const honest = (lie < 0 ? frames : frames.slice(0, lie)).map((frame, index) =>
    buildFrame(options.corpus, frame, index + 1),
  )
  const lying = lie < 0 ? undefined : buildFrame(options.corpus, frames[lie]!, lie + 1)
  const sentinel = encodeRequestFrame(
    { apiKey: ApiKeys.ApiVersions, apiVersion: 0, correlationId: sentinelCorrelationId },
    encodeBody({}),
  )
  const sent = honest.length + (lying === undefined ? 0 : 1)
  return new Promise<{ sent: number; confirmed: number }>((resolve) => {
    let answers = 0
    const socket: Socket = connect(options.port, options.host)
    const reader = new FrameReader(256 * 1024 * 1024)
    let settled = false
    const finish = (outcome: 'answered' | 'closed' | 'held' | 'failed') => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      if (outcome === 'closed') stats.closedByBroker++
      if (outcome === 'held') stats.held++
      if (outcome === 'failed') stats.connectFailures++
      if (outcome === 'answered' && lying !== undefined) socket.end(lying)
      else socket.destroy()
      const confirmed = outcome === 'answered' ? honest.length : Math.min(answers, honest.length)
      resolve({ sent, confirmed })
    }
    const timer = setTimeout(() => finish('held'), options.roundMs ?? 5000)
    let connected = false
    socket.on('connect', () => {
      connected = true
      socket.write(Buffer.concat([...honest, sentinel]))
    })
    socket.on('data', (chunk) => {
      let payloads: Buffer[]
      try {
        payloads = reader.push(chunk)
      } catch {
        return finish('closed')
      }
      for (const payload of payloads) {
        stats.answered++
        answers++
        const { correlationId, body } = parseResponseFrame(payload)
        noteUnknownServerError(body, stats)
        if (correlationId === sentinelCorrelationId) return finish('answered')
      }
    })
    socket.on('error', () => finish(connected ? 'closed' : 'failed'))
    socket.on('close', () => finish(connected ? 'closed' : 'failed'))
  })
}

function noteUnknownServerError(body: Buffer, stats: FuzzStats): void {
  let decoded: unknown
  try {
    decoded = decodeBody(body, 'response')
  } catch {
    return
  }
  // Every level of the response: request-level, per topic, per partition.
  const pending: unknown[] = [decoded]
  while (pending.length > 0) {
    const value = pending.pop()
    if (typeof value !== 'object' || value === null || Buffer.isBuffer(value)) continue
    const fields = value as Record<string, unknown>
    if (fields.errorCode === unknownServerErrorCode) {
      const message = String(fields.errorMessage ?? '(no message)').slice(0, 200)
      stats.unknownServerErrors.set(message, (stats.unknownServerErrors.get(message) ?? 0) + 1)
    }
    for (const item of Object.values(fields)) pending.push(item)
  }
}
