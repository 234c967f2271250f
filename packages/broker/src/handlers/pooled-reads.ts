// Which pooled read buffers a response's bytes live in, so the connection hands them back to the
// pool once the response frame is written (a Fetch v1 frame carries those bytes uncopied). A
// response not written (its connection closed) releases them at once; a buffer never released is
// collected by the GC, so a missed release costs reuse, never correctness.
import type { ReceiveBufferPool } from '@weir/protocol'

interface PooledBytes {
  readonly pool: ReceiveBufferPool
  readonly buffers: readonly Buffer[]
}

const pooledByResponse = new WeakMap<object, PooledBytes>()

/** Records that `response` holds views of `buffers` from `pool`, until released. */
export function holdsPooled(response: object, pool: ReceiveBufferPool, buffers: readonly Buffer[]): void {
  if (buffers.length > 0) pooledByResponse.set(response, { pool, buffers })
}

/** A function that releases what `response` holds (once); a no-op for a response holding nothing. */
export function pooledRelease(response: unknown): () => void {
  if (typeof response !== 'object' || response === null) return noRelease
  const pooled = pooledByResponse.get(response)
  if (pooled === undefined) return noRelease
  pooledByResponse.delete(response)
  return () => {
    for (const buffer of pooled.buffers) pooled.pool.release(buffer)
  }
}

function noRelease(): void {}
