// Proves profile files: the path honours XDG_CONFIG_HOME, a good file parses (TLS files made absolute against the file's directory), the requested, default or no profile is selected, and every bad file is refused naming the file and the key.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { UsageError } from '../src/flags.js'
import { parseProfiles, profileFilePath, selectProfile } from '../src/profiles.js'

const path = '/home/ops/.config/weir/config.json'

test('the file lives under XDG_CONFIG_HOME, else ~/.config', () => {
  assert.is(profileFilePath({ XDG_CONFIG_HOME: '/xdg' }, '/home/ops'), '/xdg/weir/config.json')
  assert.is(profileFilePath({}, '/home/ops'), path)
  assert.is(profileFilePath({ XDG_CONFIG_HOME: '' }, '/home/ops'), path)
})

test('a good file: brokers as a string or a list, tls paths relative to the file', () => {
  const file = parseProfiles(
    JSON.stringify({
      defaultProfile: 'local',
      profiles: {
        local: { brokers: '127.0.0.1:7171,127.0.0.1:7172' },
        prod: {
          brokers: ['b1:7171'],
          tls: { ca: 'certs/ca.pem', servername: 'weir.example' },
          sasl: { mechanism: 'scram-sha-256', username: 'ops' },
        },
      },
    }),
    path,
  )
  assert.equal(file.profiles.local, { brokers: ['127.0.0.1:7171', '127.0.0.1:7172'] })
  assert.equal(file.profiles.prod!.tls, {
    ca: '/home/ops/.config/weir/certs/ca.pem',
    servername: 'weir.example',
  })
  assert.equal(selectProfile(file, undefined, path), file.profiles.local)
  assert.equal(selectProfile(file, 'prod', path), file.profiles.prod)
  assert.is(selectProfile(undefined, undefined, path), undefined)
  assert.is(selectProfile({ profiles: {} }, undefined, path), undefined)
})

test('bad files and missing profiles are refused naming the file and the key', () => {
  const refused = (run: () => unknown, pattern: RegExp) =>
    assert.throws(
      run,
      (error: unknown) =>
        error instanceof UsageError && error.message.startsWith(path) && pattern.test(error.message),
    )
  const parse = (value: unknown) => () => parseProfiles(JSON.stringify(value), path)
  refused(() => parseProfiles('{ nope', path), /not valid JSON/)
  refused(parse([]), /the top level must be an object/)
  refused(parse({ profile: {} }), /: profile is not a known key/)
  refused(parse({ profiles: { prod: { broker: 'a:1' } } }), /profiles\.prod\.broker is not a known key/)
  refused(parse({ profiles: { prod: { brokers: 7 } } }), /profiles\.prod\.brokers must be/)
  refused(
    parse({ profiles: { prod: { tls: { cafile: 'x' } } } }),
    /profiles\.prod\.tls\.cafile is not a known key/,
  )
  refused(
    parse({ profiles: { prod: { sasl: { username: 1 } } } }),
    /profiles\.prod\.sasl\.username must be a string/,
  )
  refused(parse({ defaultProfile: 'gone', profiles: {} }), /defaultProfile names "gone"/)
  const file = parseProfiles(JSON.stringify({ profiles: { local: {} } }), path)
  assert.throws(
    () => selectProfile(file, 'prod', path),
    (error: unknown) =>
      error instanceof UsageError && /has no profile "prod" \(profiles: local\)/.test(error.message),
  )
  assert.throws(
    () => selectProfile(undefined, 'prod', path),
    (error: unknown) => error instanceof UsageError && /does not exist/.test(error.message),
  )
})

test.run()
