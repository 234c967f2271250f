// What the client tells the application about itself: typed events (KafkaJS's names: connect,
// disconnect, request, request_timeout) and log lines through an injected pino-compatible logger,
// silent unless one is given. One Instrumentation per Client, shared through its Cluster, so every
// producer, consumer and admin made from the client reports to the same place.
import { EventEmitter } from 'node:events'

/** One of a pino-compatible logger's methods: `(fields, message)` or `(message)`. */
export type LogMethod = (fieldsOrMessage: object | string, message?: string) => void

/** What `new Client({ logger })` accepts: pino, or anything with these four methods. */
export interface Logger {
  readonly debug: LogMethod
  readonly info: LogMethod
  readonly warn: LogMethod
  readonly error: LogMethod
}

const ignore: LogMethod = () => undefined

/** The default: logs nothing. */
export const silentLogger: Logger = Object.freeze({
  debug: ignore,
  info: ignore,
  warn: ignore,
  error: ignore,
})

/** A connection to a broker was opened (`connect`) or closed, by either side (`disconnect`). */
export interface ConnectionEvent {
  /** `host:port`. */
  readonly broker: string
}

/** A request answered (`request`: an error code in the answer counts as an answer) or timed out (`request_timeout`). */
export interface RequestEvent {
  /** The API's name: 'Produce', 'Fetch', 'Metadata', ... */
  readonly api: string
  /** `host:port` of the broker asked. */
  readonly broker: string
  /** From the call to the answer, on the client's clock (queueing for an in-flight slot included). */
  readonly durationMs: number
}

/** Client events and their payloads. */
export interface ClientEvents {
  connect: ConnectionEvent
  disconnect: ConnectionEvent
  request: RequestEvent
  request_timeout: RequestEvent
}

export type ClientEventName = keyof ClientEvents

export class Instrumentation {
  private readonly emitter = new EventEmitter()

  constructor(readonly logger: Logger = silentLogger) {}

  on<E extends ClientEventName>(event: E, listener: (payload: ClientEvents[E]) => void): void {
    this.emitter.on(event, listener)
  }

  off<E extends ClientEventName>(event: E, listener: (payload: ClientEvents[E]) => void): void {
    this.emitter.off(event, listener)
  }

  /** Whether anyone listens: the request path builds no payload otherwise. */
  wants(event: ClientEventName): boolean {
    return this.emitter.listenerCount(event) > 0
  }

  /** A listener that throws is logged, never allowed to break the client's own path. */
  emit<E extends ClientEventName>(event: E, payload: ClientEvents[E]): void {
    try {
      this.emitter.emit(event, payload)
    } catch (error) {
      this.logger.error({ event, err: error }, `a listener of client event ${event} threw`)
    }
  }
}

/** Checks `options.logger` quacks like a pino logger; a bad one is a programmer error caught at construction. */
export function isLogger(value: unknown): value is Logger {
  if (typeof value !== 'object' || value === null) return false
  const candidate = value as Record<string, unknown>
  return ['debug', 'info', 'warn', 'error'].every((name) => typeof candidate[name] === 'function')
}
