// Proves the DNS-rebinding guard: IP literals, localhost and the listen name are answered; any other name, or a malformed Host, is not.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { hostAllowed } from '../src/host-check.js'

test('IP literals, localhost and the listen host are allowed, with or without a port', () => {
  for (const host of [
    '127.0.0.1:9172',
    '127.0.0.1',
    '[::1]:9172',
    'LOCALHOST:9172',
    '10.0.0.5:80',
    undefined,
  ])
    assert.ok(hostAllowed(host, '127.0.0.1'), String(host))
  assert.ok(hostAllowed('console.internal:9172', 'console.internal'))
})

test('any other name, or a malformed Host, is refused', () => {
  for (const host of ['evil.example:9172', 'evil.example', 'localhost.evil.example', 'a:b:c', ''])
    assert.not.ok(hostAllowed(host, '127.0.0.1'), host)
})

test.run()
