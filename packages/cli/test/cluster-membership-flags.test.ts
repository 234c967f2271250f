// Proves `weir cluster add-broker --address` reads HOST:PORT[/PEERPORT] as a --peers entry does
// (peer port PORT + 1 unless written, IPv6 in brackets) and refuses anything else with a usage error.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { parseAddress } from '../src/cluster-membership-command.js'
import { UsageError } from '../src/flags.js'

test('HOST:PORT and HOST:PORT/PEERPORT, IPv6 in brackets', () => {
  assert.equal(parseAddress('10.0.0.4:7171'), { host: '10.0.0.4', port: 7171, peerPort: 7172 })
  assert.equal(parseAddress('broker-4.internal:7171/7181'), {
    host: 'broker-4.internal',
    port: 7171,
    peerPort: 7181,
  })
  assert.equal(parseAddress('[::1]:7171'), { host: '::1', port: 7171, peerPort: 7172 })
})

test('a missing, malformed or port-0 address is a usage error naming the form', () => {
  for (const value of [
    undefined,
    '10.0.0.4',
    '10.0.0.4:0',
    '10.0.0.4:7171/7171',
    ':7171',
    '10.0.0.4:70000',
    'a b:1',
  ]) {
    assert.throws(
      () => parseAddress(value),
      (error: unknown) => error instanceof UsageError && /HOST:PORT\[\/PEERPORT\]/.test(error.message),
      String(value),
    )
  }
})

test.run()
