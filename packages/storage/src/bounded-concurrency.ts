// Runs one async job per item with at most `limit` in flight. Opening or creating thousands of
// partition logs one after another waits out each one's fsyncs in turn (about 10 ms a partition
// on the bench VM); in flight together, the fsyncs overlap in libuv's thread pool and the file
// system commits them together. Pure control flow: no I/O of its own.

/**
 * Calls `job` for every item, at most `limit` at once, and resolves with every outcome in item
 * order once all started jobs settled. After the first failure no further job starts (its items
 * are reported as not started), so a caller can undo exactly what succeeded.
 */
export async function settleBounded<T, R>(
  items: readonly T[],
  limit: number,
  job: (item: T, index: number) => Promise<R>,
): Promise<BoundedOutcome<R>[]> {
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError(`limit must be a positive integer, got ${limit}`)
  const outcomes: BoundedOutcome<R>[] = items.map(() => ({ status: 'not-started' }))
  let next = 0
  let failed = false
  const worker = async () => {
    while (!failed && next < items.length) {
      const index = next++
      try {
        outcomes[index] = { status: 'fulfilled', value: await job(items[index]!, index) }
      } catch (reason) {
        failed = true
        outcomes[index] = { status: 'rejected', reason }
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return outcomes
}

export type BoundedOutcome<R> =
  | { readonly status: 'fulfilled'; readonly value: R }
  | { readonly status: 'rejected'; readonly reason: unknown }
  | { readonly status: 'not-started' }

/** The values of every job, in item order; throws the first failure after the successes are undone by `undo`. */
export async function allBounded<T, R>(
  items: readonly T[],
  limit: number,
  job: (item: T, index: number) => Promise<R>,
  undo: (value: R) => Promise<unknown>,
): Promise<R[]> {
  const outcomes = await settleBounded(items, limit, job)
  const failure = outcomes.find((outcome) => outcome.status === 'rejected')
  const values = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []))
  if (failure === undefined) return values
  await Promise.allSettled(values.map(undo))
  throw failure.reason
}
