// Proves the broker-wide request budget: full only above its bound, and listeners told exactly when it crosses the bound.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { RequestBudget } from '../src/request-budget.js'

test('full only above the bound; listeners hear each crossing, either way, once', () => {
  const budget = new RequestBudget(100)
  let woken = 0
  budget.onChange(() => woken++)
  budget.add(100)
  assert.not.ok(budget.full, 'at the bound is not above it')
  assert.is(woken, 0)
  budget.add(1)
  assert.ok(budget.full)
  assert.is(woken, 1, 'crossing up')
  budget.add(10)
  budget.release(0)
  assert.is(woken, 1)
  budget.release(11)
  assert.not.ok(budget.full)
  assert.is(woken, 2, 'crossing back down')
  budget.release(50)
  assert.is(woken, 2, 'no wake while it was not full')
  assert.is(budget.used, 50)
})

test('an unsubscribed listener is not woken; releasing more than held is a programmer error', () => {
  const budget = new RequestBudget(10)
  let woken = 0
  const stop = budget.onChange(() => woken++)
  stop()
  budget.add(20)
  budget.release(20)
  assert.is(woken, 0)
  assert.throws(() => budget.release(1), /releasing 1 of 0/)
})

test.run()
