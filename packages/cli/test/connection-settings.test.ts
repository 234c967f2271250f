// Proves where client commands connect: -b/--brokers or --bootstrap beat WEIR_BROKERS, which beats WEIR_BOOTSTRAP, which beats the profile, then 127.0.0.1:7171; TLS/SASL flags beat the profile field by field; leading connection flags move after the command.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { parseBrokerList, resolveBrokers, resolveSecurity } from '../src/connection-settings.js'
import { UsageError } from '../src/flags.js'
import { hoistGlobalFlags } from '../src/global-flags.js'

const profile = {
  brokers: ['p1:1', 'p2:2'],
  tls: { ca: '/etc/ca.pem' },
  sasl: { username: 'ops', password: 'fromfile' },
}

test('precedence: flag > environment > profile > default', () => {
  const environment = { WEIR_BROKERS: 'e1:1', WEIR_BOOTSTRAP: 'e2:2' }
  assert.equal(resolveBrokers({ brokers: 'f1:1,f2:2' }, environment, profile), ['f1:1', 'f2:2'])
  assert.equal(resolveBrokers({ bootstrap: 'f3:3' }, environment, profile), ['f3:3'])
  assert.equal(resolveBrokers({}, environment, profile), ['e1:1'])
  assert.equal(resolveBrokers({}, { WEIR_BOOTSTRAP: 'e2:2' }, profile), ['e2:2'])
  assert.equal(resolveBrokers({}, {}, profile), ['p1:1', 'p2:2'])
  assert.equal(resolveBrokers({}, {}, undefined), ['127.0.0.1:7171'])
  assert.equal(resolveBrokers({}, { WEIR_BROKERS: '' }, undefined), ['127.0.0.1:7171'])
})

test('bad addresses and both flags are usage errors naming where they came from', () => {
  const refused = (run: () => unknown, pattern: RegExp) =>
    assert.throws(run, (error: unknown) => error instanceof UsageError && pattern.test(error.message))
  refused(() => resolveBrokers({ brokers: 'a:1', bootstrap: 'b:2' }, {}, undefined), /not both/)
  refused(() => resolveBrokers({}, { WEIR_BROKERS: 'nohost' }, undefined), /^WEIR_BROKERS must be HOST:PORT/)
  refused(() => resolveBrokers({}, { WEIR_BOOTSTRAP: 'a:1,' }, undefined), /^WEIR_BOOTSTRAP must be/)
  refused(
    () => parseBrokerList('a:1, b', '-b/--brokers'),
    /^-b\/--brokers must be HOST:PORT\[,HOST:PORT\.\.\.\], got "a:1, b"/,
  )
  assert.equal(parseBrokerList(' a:1 , b:2 ', '-b'), ['a:1', 'b:2'])
})

test('security: flags beat the profile field by field; the password flag > WEIR_SASL_PASSWORD > profile', () => {
  const merged = resolveSecurity({ 'sasl-username': 'alice', 'tls-servername': 'broker' }, {}, profile)
  assert.is(merged['tls-ca'], '/etc/ca.pem')
  assert.is(merged['tls-servername'], 'broker')
  assert.is(merged['sasl-username'], 'alice')
  assert.is(merged['sasl-password'], 'fromfile')
  assert.is(resolveSecurity({}, { WEIR_SASL_PASSWORD: 'env' }, profile)['sasl-password'], 'env')
  assert.is(
    resolveSecurity({ 'sasl-password': 'flag' }, { WEIR_SASL_PASSWORD: 'env' }, profile)['sasl-password'],
    'flag',
  )
  assert.is(resolveSecurity({}, {}, undefined)['tls-ca'], undefined)
})

test('connection flags before the command move after it; others stay', () => {
  assert.equal(hoistGlobalFlags(['-b', 'h:1', 'topics', 'list']), ['topics', 'list', '-b', 'h:1'])
  assert.equal(hoistGlobalFlags(['--profile=prod', '--brokers', 'h:1', 'groups', 'list', '--json']), [
    'groups',
    'list',
    '--json',
    '--profile=prod',
    '--brokers',
    'h:1',
  ])
  assert.equal(hoistGlobalFlags(['topics', 'list', '-b', 'h:1']), ['topics', 'list', '-b', 'h:1'])
  assert.equal(hoistGlobalFlags(['--version']), ['--version'])
  assert.equal(hoistGlobalFlags(['-b', 'h:1']), ['-b', 'h:1'])
})

test.run()
