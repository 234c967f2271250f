// Proves the run-based log metadata agrees with a brute-force model over whole entries: term lookup,
// reject hints, truncation and agreement with another log.
import fc from 'fast-check'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { RaftLog } from '../src/log.js'
import type { Entry } from '../src/types.js'
import { termRunsOf } from './sim/memory-storage.js'

/** Entries from index 0 with non-decreasing terms. */
const logShape = fc.array(
  fc.record({ termStep: fc.integer({ min: 0, max: 2 }), span: fc.integer({ min: 1, max: 5 }) }),
  {
    maxLength: 30,
  },
)

function build(shape: readonly { termStep: number; span: number }[]): Entry[] {
  const built: Entry[] = []
  let index = 0
  let term = 1
  for (const { termStep, span } of shape) {
    term += termStep
    built.push({ index, term, span, kind: 'normal', data: new Uint8Array(1) })
    index += span
  }
  return built
}

function logOf(built: readonly Entry[]): RaftLog {
  const last = built[built.length - 1]
  const lastIndex = last === undefined ? -1 : last.index + last.span - 1
  return new RaftLog(0, lastIndex, termRunsOf(built), built)
}

function containing(built: readonly Entry[], index: number): Entry | undefined {
  return built.find((entry) => entry.index <= index && index < entry.index + entry.span)
}

test('termAt is the term of the entry containing the index', () => {
  fc.assert(
    fc.property(logShape, (shape) => {
      const built = build(shape)
      const log = logOf(built)
      for (let index = -1; index <= log.lastIndex + 1; index++) {
        assert.is(log.termAt(index), containing(built, index)?.term ?? 0)
      }
    }),
  )
})

test('the reject hint is an entry end with a term at or below the bound, the largest run end so', () => {
  fc.assert(
    fc.property(
      logShape,
      fc.integer({ min: -1, max: 160 }),
      fc.integer({ min: 0, max: 60 }),
      (shape, maxIndex, termMax) => {
        const built = build(shape)
        const log = logOf(built)
        const hint = log.entryEndAtOrBelow(maxIndex, termMax)
        assert.ok(hint.index <= maxIndex || hint.index === -1)
        assert.ok(hint.term <= termMax)
        if (hint.index >= 0) {
          const entry = containing(built, hint.index)!
          assert.is(entry.index + entry.span - 1, hint.index, 'an entry end')
          assert.is(entry.term, hint.term)
        }
        // No later run end (or lastIndex) qualifies.
        for (let i = 0; i < log.runs.length; i++) {
          const end = log.runEnd(i)
          if (end <= maxIndex && log.runs[i]!.term <= termMax) assert.ok(end <= hint.index)
        }
      },
    ),
  )
})

test('truncation keeps runs, window and lastIndex equal to rebuilding from the kept entries', () => {
  fc.assert(
    fc.property(logShape, fc.nat(), (shape, pick) => {
      const built = build(shape)
      if (built.length === 0) return
      const cut = built[pick % built.length]!.index
      const log = logOf(built)
      log.truncateFrom(cut)
      const kept = built.filter((entry) => entry.index < cut)
      assert.equal(log.runs, termRunsOf(kept))
      assert.is(log.lastIndex, cut - 1)
      assert.is(log.window.length, kept.length)
      assert.is(log.pendingTruncateFrom, cut)
    }),
  )
})

test('agreement with another log is the end of the last shared prefix of whole entries', () => {
  fc.assert(
    fc.property(logShape, logShape, fc.nat(), (shared, divergent, pick) => {
      const base = build(shared)
      const keepCount = base.length === 0 ? 0 : pick % (base.length + 1)
      const prefix = base.slice(0, keepCount)
      const prefixEnd =
        prefix.length === 0 ? -1 : prefix[prefix.length - 1]!.index + prefix[prefix.length - 1]!.span - 1
      const lastTerm = prefix[prefix.length - 1]?.term ?? 0
      // The other log continues the prefix with entries of strictly newer terms.
      const other = [...prefix]
      let index = prefixEnd + 1
      let term = Math.max(lastTerm, base[base.length - 1]?.term ?? 0) + 1
      for (const { termStep, span } of divergent) {
        term += termStep
        other.push({ index, term, span, kind: 'normal', data: new Uint8Array(1) })
        index += span
      }
      const log = logOf(base)
      const otherLast = index - 1
      assert.is(
        log.agreementWith(0, termRunsOf(other), otherLast),
        Math.min(prefixEnd, log.lastIndex, otherLast),
      )
    }),
  )
})

test.run()
