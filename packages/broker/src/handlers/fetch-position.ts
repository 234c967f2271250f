// Where a Fetch's offset stands in a partition's log. Up to the log end is in range: a new
// leader's high watermark trails what the old leader had already committed until it commits an
// entry of its own term, so a consumer that read up to there must wait, not be told its offset is
// gone (OFFSET_OUT_OF_RANGE makes a consumer reset, and a group consumer resetting to the end
// skipped records in a chaos run).

export type FetchPosition = 'out-of-range' | 'nothing-yet' | 'readable'

export function fetchPosition(
  fetchOffset: number,
  logStartOffset: number,
  highWatermark: number,
  logEndOffset: number,
): FetchPosition {
  if (fetchOffset < logStartOffset || fetchOffset > Math.max(highWatermark, logEndOffset))
    return 'out-of-range'
  return fetchOffset >= highWatermark ? 'nothing-yet' : 'readable'
}
