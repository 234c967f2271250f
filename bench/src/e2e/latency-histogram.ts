// The HDR histogram every latency benchmark records into, and how a percentile is read from it.
import * as hdr from 'hdr-histogram-js'

/** Microseconds, 1 µs to 60 s, 3 significant digits: every latency histogram of the benchmarks. */
export function buildLatencyHistogram(): hdr.Histogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 3,
  })
}

/**
 * One percentile of a histogram of microseconds, in ms. HdrHistogram reports a percentile as the top
 * of its bucket (3 significant digits), which lies above the largest value recorded when the tail
 * shares the maximum's bucket (a stall delaying many messages alike): no percentile is reported
 * above the maximum.
 */
export function percentileMs(histogram: hdr.Histogram, percentile: number): number {
  return Math.min(histogram.getValueAtPercentile(percentile), histogram.maxValue) / 1000
}
