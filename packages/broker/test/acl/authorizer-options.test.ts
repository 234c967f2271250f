// Proves `authorizer` and `superUsers` are checked at start-up like every option (INVALID_CONFIG naming the key), in Broker.start options and weir.json alike, and that the open-broker warning is given only when nothing guards the broker.
import { isWeirError } from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { openBrokerWarning, resolveAuthorizer } from '../../src/acl/authorizer-options.js'
import { checkConfigFile, resolveOptions } from '../../src/options.js'

function invalid(run: () => unknown, pattern: RegExp): void {
  try {
    run()
    assert.unreachable('should have thrown')
  } catch (error) {
    assert.ok(isWeirError(error, 'INVALID_CONFIG'), String(error))
    assert.match((error as Error).message, pattern)
  }
}

test('off by default; acl turns it on; super users from a comma list or a list', () => {
  assert.equal(resolveOptions({ dataDir: 'x' }).authorizer, { enabled: false, superUsers: [] })
  assert.equal(resolveAuthorizer({ authorizer: 'acl', superUsers: 'User:admin, User:ops' }), {
    enabled: true,
    superUsers: ['User:admin', 'User:ops'],
  })
  assert.equal(resolveAuthorizer({ superUsers: ['User:admin'] }).superUsers, ['User:admin'])
})

test('bad values are INVALID_CONFIG naming the key, in options and in weir.json', () => {
  invalid(() => resolveOptions({ dataDir: 'x', authorizer: 'simple' as 'acl' }), /authorizer must be "acl"/)
  invalid(() => resolveOptions({ dataDir: 'x', superUsers: 'admin' }), /superUsers must be principals/)
  invalid(() => checkConfigFile({ superUsers: [1] }, 'weir.json'), /config file weir.json: superUsers/)
  assert.equal(checkConfigFile({ authorizer: 'acl', superUsers: ['User:admin'] }, 'weir.json'), {
    authorizer: 'acl',
    superUsers: ['User:admin'],
  })
})

test('the open warning: only without an authorizer and without client authentication', () => {
  const open = { enabled: false, superUsers: [] }
  assert.match(String(openBrokerWarning(open, {})), /anyone who can reach its port/)
  assert.is(openBrokerWarning({ enabled: true, superUsers: [] }, {}), undefined)
  assert.is(openBrokerWarning(open, { saslMechanisms: ['SCRAM-SHA-256'] }), undefined)
  assert.is(openBrokerWarning(open, { tls: { clientAuth: 'required' } }), undefined)
  assert.match(String(openBrokerWarning(open, { saslMechanisms: [], tls: {} })), /open/)
})

test.run()
