// Proves the HTTP edges that need no broker: API paths to calls, error codes to statuses, and listen addresses.
import { type ErrorName, isWeirError, WeirError } from '@weir/client'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { ConsoleApi } from '../src/console-api.js'
import { matchRoute } from '../src/console-routes.js'
import { errorAnswer } from '../src/http-status.js'
import { consoleUrl, parseListenAddress } from '../src/listen-address.js'

test('API paths call the matching method with decoded names', async () => {
  const calls: string[] = []
  const api = new Proxy({} as ConsoleApi, {
    get:
      (_target, method) =>
      async (...args: unknown[]) =>
        calls.push(`${String(method)} ${JSON.stringify(args)}`),
  })
  const query = new URLSearchParams('offset=3')
  for (const [method, path] of [
    ['GET', '/api/brokers'],
    ['GET', '/api/topics/a%2Fb'],
    ['GET', '/api/topics/t/messages'],
    ['POST', '/api/topics/t/messages'],
    ['GET', '/api/groups/g%201'],
  ] as const) {
    const match = matchRoute(method, path, query)
    assert.is(match?.kind, 'call', path)
    if (match?.kind === 'call') await match.call(api, { value: 'v' })
  }
  assert.equal(calls, [
    'brokers []',
    'topic ["a/b"]',
    'messages ["t",{}]',
    'produce ["t",{"value":"v"}]',
    'group ["g 1"]',
  ])
})

test('a known path with the wrong method says which one to use; other paths are not the API', () => {
  assert.equal(matchRoute('DELETE', '/api/topics/t/messages', new URLSearchParams()), {
    kind: 'wrong-method',
    allowed: 'GET, POST',
  })
  assert.is(matchRoute('GET', '/console.js', new URLSearchParams()), undefined)
})

test('errors map to statuses: bad input 400, missing 404, ACL 403, busy 429, cluster 502, bugs 500', () => {
  const status = (code: ErrorName) => errorAnswer(new WeirError(code, 'x')).status
  assert.is(status('INVALID_CONSOLE_REQUEST'), 400)
  assert.is(status('UNKNOWN_TOPIC'), 404)
  assert.is(status('GROUP_ID_NOT_FOUND'), 404)
  assert.is(status('TOPIC_AUTHORIZATION_FAILED'), 403)
  assert.is(status('LIMIT_EXCEEDED'), 429)
  assert.is(status('BROKER_UNAVAILABLE'), 502)
  const bug = errorAnswer(new TypeError('boom'))
  assert.is(bug.status, 500)
  assert.match(bug.body.error.message, /boom; see its log/)
})

test('listen addresses: HOST:PORT and [IPv6]:PORT; anything else is INVALID_CONFIG naming the flag', () => {
  assert.equal(parseListenAddress('127.0.0.1:9172'), { host: '127.0.0.1', port: 9172 })
  assert.equal(parseListenAddress('[::1]:0'), { host: '::1', port: 0 })
  for (const bad of ['9172', 'localhost:', 'host:70000', 'a b:1']) {
    try {
      parseListenAddress(bad, '--listen')
      assert.unreachable(bad)
    } catch (error) {
      assert.ok(isWeirError(error, 'INVALID_CONFIG'), bad)
      assert.match((error as Error).message, /^--listen must be HOST:PORT/)
    }
  }
  assert.is(consoleUrl({ host: '0.0.0.0', port: 9172 }), 'http://127.0.0.1:9172/')
  assert.is(consoleUrl({ host: '::1', port: 80 }), 'http://[::1]:80/')
})

test.run()
