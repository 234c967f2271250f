// Proves the security options are checked before anything opens: mechanism lists, TLS blocks, the bootstrap user file, and weir.json paths resolved against the file.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  parseBootstrapUser,
  resolveSaslMechanisms,
  resolveSecurityOptions,
} from '../../src/auth/security-options.js'
import { checkConfigFile } from '../../src/options.js'

test('--sasl-mechanisms takes a comma list or an array, in any case, duplicates collapsed', () => {
  assert.equal(resolveSaslMechanisms('scram-sha-256, SCRAM-SHA-512,scram-sha-256'), [
    'SCRAM-SHA-256',
    'SCRAM-SHA-512',
  ])
  assert.equal(resolveSaslMechanisms(['plain']), ['PLAIN'])
  assert.equal(resolveSaslMechanisms(undefined), [])
  assert.throws(() => resolveSaslMechanisms('gssapi'), /not one of scram-sha-256, scram-sha-512, plain/)
})

test('a bootstrap user without SASL, and mTLS without a CA, are refused', () => {
  assert.throws(() => resolveSecurityOptions({ bootstrapUserFile: '/x' }), /needs SASL on/)
  assert.throws(
    () => resolveSecurityOptions({ tls: { certFile: 'c', keyFile: 'k', clientAuth: 'required' } }),
    /needs tls.caFile/,
  )
  assert.throws(() => resolveSecurityOptions({ tls: { certFile: 'c' } }), /keyFile/)
  assert.throws(
    () => resolveSecurityOptions({ tls: { certFile: 'c', keyFile: 'k', cert: 'x' } }),
    /unknown key "cert"/,
  )
})

test('the bootstrap user file is one line name:password; the password may hold colons', () => {
  assert.equal(parseBootstrapUser('admin:pa:ss\n', 'f'), { name: 'admin', password: 'pa:ss' })
  assert.throws(() => parseBootstrapUser('admin\n', 'f'), /one line name:password/)
  assert.throws(() => parseBootstrapUser('a:b\nc:d\n', 'f'), /one line name:password/)
  assert.throws(() => parseBootstrapUser(':secret', 'f'), /one line name:password/)
})

test('weir.json tls and bootstrapUserFile paths resolve against the file', () => {
  const config = checkConfigFile(
    {
      tls: { certFile: 'certs/b.pem', keyFile: 'certs/b.key' },
      saslMechanisms: 'scram-sha-256',
      bootstrapUserFile: 'admin',
    },
    '/etc/weir/weir.json',
  )
  assert.equal(config.tls, {
    certFile: '/etc/weir/certs/b.pem',
    keyFile: '/etc/weir/certs/b.key',
    clientAuth: 'none',
  })
  assert.is(config.bootstrapUserFile, '/etc/weir/admin')
})

test.run()
