// How a cost grows with size: a least-squares line (the cost of one more partition, topic or
// connection) and the exponent of a power law between the two largest sizes (1 is linear, 2
// quadratic), so a table can say "grows linearly, 41 KB each" from three or more sizes.

export interface GrowthPoint {
  readonly size: number
  readonly value: number
}

export interface Growth {
  /** Added value per unit of size (e.g. bytes of RSS per partition), from a least-squares line. */
  readonly slope: number
  /** The line's value at size 0 (the fixed cost). */
  readonly intercept: number
  /**
   * b in value ≈ a · size^b between the two largest sizes (with positive values): the growth
   * where it matters, where a fixed part no longer hides it. A fit over every size reads a
   * quadratic cost with a large fixed part as linear. Near 0: flat; 1: linear; 2: quadratic.
   * Undefined without two such sizes.
   */
  readonly exponent: number | undefined
}

/** The fit of `points`; needs at least two distinct sizes. */
export function fitGrowth(points: readonly GrowthPoint[]): Growth {
  const line = leastSquares(points.map(({ size, value }) => [size, value]))
  if (line === undefined) throw new Error('fitGrowth needs at least two distinct sizes')
  return { slope: line.slope, intercept: line.intercept, exponent: largestStepExponent(points) }
}

function largestStepExponent(points: readonly GrowthPoint[]): number | undefined {
  const usable = points.filter(({ size, value }) => size > 0 && value > 0).sort((a, b) => a.size - b.size)
  const upper = usable.at(-1)
  const lower = usable.findLast((point) => upper !== undefined && point.size < upper.size)
  if (upper === undefined || lower === undefined) return undefined
  return Math.log(upper.value / lower.value) / Math.log(upper.size / lower.size)
}

function leastSquares(
  points: readonly (readonly [number, number])[],
): { slope: number; intercept: number } | undefined {
  const count = points.length
  if (count < 2) return undefined
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / count
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / count
  let covariance = 0
  let variance = 0
  for (const [x, y] of points) {
    covariance += (x - meanX) * (y - meanY)
    variance += (x - meanX) ** 2
  }
  if (variance === 0) return undefined
  const slope = covariance / variance
  return { slope, intercept: meanY - slope * meanX }
}

/** "linear", "quadratic", ... for an exponent, with the tolerance a noisy 3-point fit needs. */
export function describeExponent(exponent: number | undefined): string {
  if (exponent === undefined) return 'unknown'
  if (exponent < 0.3) return 'flat'
  if (exponent < 0.8) return 'sublinear'
  if (exponent < 1.3) return 'linear'
  if (exponent < 1.7) return 'superlinear'
  return 'quadratic or worse'
}
