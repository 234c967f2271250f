// Proves the CPU ceiling of RF 3 is cores over CPU seconds per message, capped at RF 1's rate, and
// that it needs broker CPU figures and cores.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { cpuCeiling } from '../src/replication/cpu-ceiling.js'

const rf1 = {
  messages: 300_000,
  bytes: 30e6,
  messagesPerSecond: 500_000,
  brokerCpuSeconds: 0.45,
  clientCpuSeconds: 0.35,
}
const rf3 = {
  messages: 300_000,
  bytes: 30e6,
  messagesPerSecond: 280_000,
  brokerCpuSeconds: 1.45,
  clientCpuSeconds: 0.35,
}

test('RF 3 on 2 cores at 1.8 CPU seconds per 300,000 messages can reach 333,333 msg/s: 0.67 of RF 1', () => {
  const ceiling = cpuCeiling(rf1, rf3, 2)!
  assert.is(Math.round(ceiling.rf3CeilingMessagesPerSecond), 333_333)
  assert.is(ceiling.ceilingRatio.toFixed(3), '0.667')
  assert.is(ceiling.measuredRatio, 0.56)
  assert.equal(ceiling.brokerCpuMsPerMegabyte, { rf1: 15, rf3: 1450 / 30 })
  assert.equal(ceiling.clientCpuMsPerMegabyte, { rf1: 350 / 30, rf3: 350 / 30 })
})

test('a ceiling above RF 1 counts as 1: CPU is then not what holds RF 3 back', () => {
  assert.is(cpuCeiling(rf1, rf3, 64)!.ceilingRatio, 1)
})

test('no ceiling without broker CPU (no /proc) or without cores', () => {
  assert.is(cpuCeiling(rf1, { ...rf3, brokerCpuSeconds: null }, 2), undefined)
  assert.is(cpuCeiling(rf1, rf3, 0), undefined)
})

test.run()
