// Order statistics of a handful of timed requests (metadata latency): nearest rank, no histogram.

/** The q-quantile (0..1) by nearest rank of `values`; throws on an empty list. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) throw new Error('quantile needs at least one value')
  const sorted = [...values].sort((left, right) => left - right)
  const rank = Math.max(1, Math.ceil(q * sorted.length))
  return sorted[Math.min(rank, sorted.length) - 1]!
}
