// Adds up the summaries uvu prints at the end of each package's run. uvu's "Total" counts the tests
// that ran (passed or failed) and leaves skipped ones out, so failed = Total - Passed: subtracting
// Skipped as well would count each skipped test as a negative failure.
export function uvuTotals(plainOutput) {
  const sum = (label) =>
    [...plainOutput.matchAll(new RegExp(`${label}:\\s+(\\d+)`, 'g'))].reduce(
      (total, match) => total + Number(match[1]),
      0,
    )
  const ran = sum('Total')
  const passed = sum('Passed')
  const skipped = sum('Skipped')
  return { passed, failed: ran - passed, skipped }
}

// Two package summaries captured from uvu 0.5.6 (one with a skipped test, one with a failure).
const capturedSummaries = `
@weir/protocol:test:   Total:     211
@weir/protocol:test:   Passed:    211
@weir/protocol:test:   Skipped:   2
@weir/protocol:test:   Duration:  1.92s
@weir/client:test:   Total:     204
@weir/client:test:   Passed:    202
@weir/client:test:   Skipped:   0
@weir/client:test:   Duration:  3.10s
`

/** Throws if the arithmetic above disagrees with the captured summaries; test-all runs it first. */
export function checkUvuTotals() {
  const { passed, failed, skipped } = uvuTotals(capturedSummaries)
  if (passed !== 413 || failed !== 2 || skipped !== 2) {
    throw new Error(`uvuTotals is wrong: ${passed} passed, ${failed} failed, ${skipped} skipped`)
  }
}
