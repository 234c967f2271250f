// What the broker takes from the world: the client-side Environment (clock, timers, random, the
// network) plus the file system its logs and state files live on. Broker.start uses the real one
// unless handed another; the seeded simulation hands each broker a virtual clock and timers, an
// in-memory network and a MemoryFileIo disk, so a whole cluster runs deterministically.
import { type Environment, nodeEnvironment } from '@weir/protocol'
import { type FileIo, nodeFileIo } from '@weir/storage'

export interface BrokerEnvironment extends Environment {
  readonly files: FileIo
  /**
   * Cryptographic randomness (peer handshake nonces). Default: node:crypto's; a simulation passes
   * a seeded one so its runs repeat.
   */
  readonly randomBytes?: (size: number) => Buffer
}

/** Node's clock, timers, Math.random, TCP and disk. */
export const nodeBrokerEnvironment: BrokerEnvironment = { ...nodeEnvironment, files: nodeFileIo }

/**
 * `work`, or a rejection with `timeoutError()` once `timeoutMs` passed first. A late failure of
 * `work` after the timeout answered is swallowed (it must not become an unhandled rejection).
 */
export function withTimeout<T>(
  environment: Pick<Environment, 'timers'>,
  work: Promise<T>,
  timeoutMs: number,
  timeoutError: () => Error,
): Promise<T> {
  let timer: ReturnType<Environment['timers']['setTimeout']> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = environment.timers.setTimeout(() => reject(timeoutError()), timeoutMs)
  })
  work.catch(() => {})
  return Promise.race([work, timeout]).finally(() => environment.timers.clear(timer))
}
