// The way to one group's coordinator: FindCoordinator on any broker, then the pipelined connection
// to the broker it names, cached until an error says the coordinator moved. `request` is one
// attempt (the membership decides what to do on failure); `requestWithRetry` retries what
// `actionForError` calls retriable, with backoff, for callers without a state machine of their own
// (offset stores, admin).
import {
  type ApiDefinition,
  type Connection,
  delay,
  FindCoordinator,
  isWeirError,
  type RequestOptions,
  WeirError,
} from '@weir/protocol'
import type { Cluster } from '../cluster.js'
import { backoffMs } from '../limits.js'
import { actionForError, type GroupPhase } from './membership-decisions.js'

export interface CoordinatorRetryOptions {
  /** First backoff after a retriable error; doubles up to `retryBackoffMsMax`. */
  readonly retryBackoffMs: number
  readonly retryBackoffMsMax: number
  /** Attempts of `requestWithRetry` before the last error is thrown. */
  readonly attemptsMax: number
}

export const coordinatorRetryDefaults: CoordinatorRetryOptions = {
  retryBackoffMs: 50,
  retryBackoffMsMax: 2000,
  attemptsMax: 20,
}

export class CoordinatorClient {
  private current: Promise<Connection> | undefined

  constructor(
    private readonly cluster: Cluster,
    readonly groupId: string,
    readonly retry: CoordinatorRetryOptions = coordinatorRetryDefaults,
  ) {}

  /** The coordinator's connection, finding it when unknown. Throws the FindCoordinator error. */
  connection(): Promise<Connection> {
    if (this.current === undefined) {
      const finding = this.find()
      this.current = finding
      finding.catch(() => {
        if (this.current === finding) this.current = undefined
      })
    }
    return this.current
  }

  /** Forget the coordinator: the next request finds it again. */
  invalidate(): void {
    this.current = undefined
  }

  /** One attempt; an error that says the coordinator moved also forgets it. */
  async request<Request, Response>(
    api: ApiDefinition<Request, Response>,
    body: Request,
    options?: RequestOptions,
  ): Promise<Response> {
    const connection = await this.connection()
    try {
      return await connection.request(api, body, options)
    } catch (error) {
      if (isWeirError(error) && actionForError(error.code, error.retriable, 'commit').kind === 'rediscover')
        this.invalidate()
      throw error
    }
  }

  /** Retries coordinator moves, loading and other retriable errors, `attemptsMax` times at most. */
  async requestWithRetry<Request, Response>(
    api: ApiDefinition<Request, Response>,
    body: Request,
    phase: GroupPhase,
    options?: RequestOptions,
  ): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.request(api, body, options)
      } catch (error) {
        if (!isWeirError(error)) throw error
        const action = actionForError(error.code, error.retriable, phase)
        const again = action.kind === 'rediscover' || action.kind === 'retry'
        if (!again || attempt + 1 >= this.retry.attemptsMax) throw error
        await delay(
          this.cluster.environment.timers,
          backoffMs(attempt, this.retry.retryBackoffMs, this.retry.retryBackoffMsMax),
        )
      }
    }
  }

  private async find(): Promise<Connection> {
    const response = await this.cluster.requestHedged(FindCoordinator, { key: this.groupId, keyType: 0 })
    if (response.nodeId < 0)
      throw new WeirError('NOT_COORDINATOR', `no broker coordinates group ${this.groupId} right now`)
    return this.cluster.connectionFor(response.nodeId)
  }
}
