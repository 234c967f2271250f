// Proves malformed-request warnings are rate limited: one line per key per interval, carrying the count held back, with the memory of keys bounded.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { WarningRateLimit, warnLimited } from '../src/warning-rate-limit.js'

test('one line per key per interval; the next line carries the count held back', () => {
  const limit = new WarningRateLimit(10_000)
  assert.equal(limit.admit('10.0.0.1', 0), { log: true, suppressed: 0 })
  for (let index = 0; index < 999; index++) assert.not.ok(limit.admit('10.0.0.1', 5000).log)
  assert.ok(limit.admit('10.0.0.2', 5000).log, 'another address has its own allowance')
  assert.not.ok(limit.admit('10.0.0.1', 9999).log)
  assert.equal(limit.admit('10.0.0.1', 10_000), { log: true, suppressed: 1000 })
  assert.equal(limit.admit('10.0.0.1', 20_000), { log: true, suppressed: 0 })
})

test('keys past the maximum forget the one logged longest ago', () => {
  const limit = new WarningRateLimit(10_000, 2)
  limit.admit('a', 0)
  limit.admit('b', 1)
  limit.admit('c', 2)
  assert.ok(limit.admit('a', 3).log, 'a was forgotten, so it logs again')
  assert.not.ok(limit.admit('c', 3).log)
})

test('warnLimited writes the admitted lines only, with `suppressed` when lines were held back', () => {
  const lines: [object, string][] = []
  let nowMs = 0
  const sink = {
    limiter: new WarningRateLimit(100),
    clock: { now: () => nowMs },
    logger: { warn: (fields: object, message: string) => lines.push([fields, message]) },
  }
  for (let index = 0; index < 50; index++) warnLimited(sink, 'host', { apiKey: 99 }, 'bad')
  nowMs = 100
  warnLimited(sink, 'host', { apiKey: 99 }, 'bad')
  assert.equal(lines, [
    [{ apiKey: 99 }, 'bad'],
    [{ apiKey: 99, suppressed: 49 }, 'bad'],
  ])
})

test.run()
