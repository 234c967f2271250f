// Proves the console's JSON API against a real broker: brokers, topics with leaders and ISR,
// browsing by offset and by time in each format with keys and headers, producing, groups with lag
// (log end minus committed) sampled over time, and the HTTP edge (statuses, cross-site writes refused).
import { request as httpRequest } from 'node:http'
import { Client, isWeirError } from '@weir/client'
import { ConsoleApi, type ConsoleServer, startConsole } from '@weir/console'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  type ConsoleFixture,
  firstTimestampMs,
  groupId,
  markup,
  records,
  startFixture,
  topic,
} from './console-fixture.js'

let fixture: ConsoleFixture
let api: ConsoleApi
let server: ConsoleServer
let now = 1_000_000

const newClient = () => new Client({ brokers: [fixture.running.address], clientId: 'console' })

test.before(async () => {
  fixture = await startFixture()
  api = new ConsoleApi({ newClient, now: () => now })
  server = await startConsole({ listen: '127.0.0.1:0', newClient })
})

test.after(async () => {
  await server?.close()
  await api?.close()
  await fixture?.close()
})

test('brokers: the one broker, alive, and the controller', async () => {
  const { controllerId, brokers } = await api.brokers()
  assert.is(brokers.length, 1)
  assert.is(brokers[0]!.state, 'alive')
  assert.is(`${brokers[0]!.host}:${brokers[0]!.port}`, fixture.running.address)
  assert.is(controllerId, brokers[0]!.id)
})

test('topics: the list with partition and message counts; one topic with leader, replicas and ISR', async () => {
  const { topics } = await api.topics()
  assert.equal(
    topics.find((entry) => entry.name === topic),
    { name: topic, partitions: 1, underReplicated: 0, messages: fixture.messageCount },
  )
  const described = await api.topic(topic)
  const [partition] = described.partitions
  assert.is(partition!.leader, 1)
  assert.equal(partition!.replicas, [1])
  assert.equal(partition!.isr, [1])
  assert.is(partition!.highWatermark, fixture.messageCount)
})

test('browsing from an offset shows msgpack values as JSON, keys and headers as text', async () => {
  const result = await api.messages(topic, new URLSearchParams('partition=0&offset=0&limit=2&format=msgpack'))
  assert.is(result.complete, true)
  assert.equal(
    result.messages.map((message) => message.offset),
    [0, 1],
  )
  const [first] = result.messages
  assert.equal(JSON.parse(first!.value.text!), records[0]!.value)
  assert.is(first!.key.text, 'order-1')
  assert.is(first!.timestamp, firstTimestampMs)
  assert.equal(
    first!.headers.map((header) => [header.name, header.value.text]),
    [['source', 'web']],
  )
})

test('browsing in the other formats: json, text (markup as is) and hex', async () => {
  const json = await api.messages(topic, new URLSearchParams('offset=3&limit=1&format=json'))
  assert.is(json.messages[0]!.value.text, '{\n  "kind": "json"\n}')
  const text = await api.messages(topic, new URLSearchParams('offset=4&format=text'))
  assert.equal(
    text.messages.map((message) => message.value.text),
    [markup],
  )
  const hex = await api.messages(topic, new URLSearchParams('offset=3&limit=1&format=hex'))
  assert.is(
    hex.messages[0]!.value.text,
    Buffer.from('{"kind":"json"}').toString('hex').match(/../g)!.join(' '),
  )
})

test('browsing by time starts at the first record at or after it (ListOffsets by timestamp)', async () => {
  const result = await api.messages(
    topic,
    new URLSearchParams(`timestamp=${firstTimestampMs + 1500}&limit=1`),
  )
  assert.is(result.startOffset, 2)
  assert.equal(
    result.messages.map((message) => message.offset),
    [2],
  )
  const iso = new Date(firstTimestampMs + 1000).toISOString()
  const byDate = await api.messages(topic, new URLSearchParams(`timestamp=${iso}&limit=1`))
  assert.is(byDate.startOffset, 1)
  const late = await api.messages(topic, new URLSearchParams(`timestamp=${firstTimestampMs + 60_000}`))
  assert.equal([late.startOffset, late.messages.length], [fixture.messageCount, 0])
})

test('browsing past the end returns no messages at once; a missing partition or topic is a typed error', async () => {
  const past = await api.messages(topic, new URLSearchParams('offset=999'))
  assert.equal([past.messages.length, past.highWatermark, past.complete], [0, fixture.messageCount, true])
  for (const [name, query, code] of [
    [topic, 'partition=5', 'UNKNOWN_PARTITION'],
    ['nope', '', 'UNKNOWN_TOPIC'],
    [topic, 'format=xml', 'INVALID_CONSOLE_REQUEST'],
  ] as const) {
    try {
      await api.messages(name, new URLSearchParams(query))
      assert.unreachable(`${name}?${query}`)
    } catch (error) {
      assert.ok(isWeirError(error, code), `${name}?${query}: ${error}`)
    }
  }
})

test('produce: a test message with key, headers and a msgpack value can be browsed back', async () => {
  const topicName = 'console-produce'
  await fixture.client.admin().createTopic({ topic: topicName, partitions: 2 })
  const sent = await api.produce(topicName, {
    key: 'k1',
    value: '{"hello": "world"}',
    format: 'msgpack',
    headers: { trace: 'abc' },
    partition: 1,
  })
  assert.equal(sent, { topic: topicName, partition: 1, offset: 0 })
  const read = await api.messages(topicName, new URLSearchParams('partition=1&format=msgpack'))
  const [message] = read.messages
  assert.equal(JSON.parse(message!.value.text!), { hello: 'world' })
  assert.is(message!.key.text, 'k1')
  assert.equal(
    message!.headers.map((header) => [header.name, header.value.text]),
    [['trace', 'abc']],
  )
})

test('groups: the group with its member, assignment and lag = log end - committed, sampled over time', async () => {
  const { groups } = await api.groups()
  assert.ok(groups.some((group) => group.groupId === groupId))
  const first = await api.group(groupId)
  assert.is(first.members.length, 1)
  assert.equal(first.members[0]!.assignment, [{ topic, partition: 0 }])
  const [offset] = first.offsets
  assert.is(offset!.logEndOffset, fixture.messageCount)
  assert.is(offset!.committedOffset, 1)
  assert.is(offset!.lag, fixture.messageCount - 1)
  now += 5000
  const second = await api.group(groupId)
  assert.equal(second.lagHistory, [
    { atMs: now - 5000, totalLag: fixture.messageCount - 1 },
    { atMs: now, totalLag: fixture.messageCount - 1 },
  ])
  try {
    await api.group('no-such-group')
    assert.unreachable('unknown group')
  } catch (error) {
    assert.ok(isWeirError(error, 'GROUP_ID_NOT_FOUND'), String(error))
  }
})

test('over HTTP: the page and its script, JSON answers, 404 and 400 with the error code', async () => {
  const page = await fetch(server.url)
  assert.is(page.status, 200)
  assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/)
  assert.match(await page.text(), /<script type="module" src="\/console.js">/)
  assert.is((await fetch(new URL('/console.js', server.url))).status, 200)
  const brokers = await fetch(new URL('/api/brokers', server.url))
  assert.is(brokers.status, 200)
  assert.is(((await brokers.json()) as { brokers: unknown[] }).brokers.length, 1)
  const missing = await fetch(new URL('/api/topics/nope', server.url))
  assert.equal(
    [missing.status, ((await missing.json()) as { error: { code: string } }).error.code],
    [404, 'UNKNOWN_TOPIC'],
  )
  const bad = await fetch(new URL(`/api/topics/${topic}/messages?limit=0`, server.url))
  assert.is(bad.status, 400)
  assert.is((await fetch(new URL('/../../etc/passwd', server.url))).status, 404)
})

test('over HTTP: a request naming another host (DNS rebinding) is refused', async () => {
  const status = (host: string) =>
    new Promise<number | undefined>((resolve, reject) => {
      const request = httpRequest(new URL('/api/brokers', server.url), { headers: { host } }, (response) => {
        response.resume()
        resolve(response.statusCode)
      })
      request.once('error', reject)
      request.end()
    })
  assert.is(await status(`evil.example:${server.address.port}`), 403)
  assert.is(await status(`localhost:${server.address.port}`), 200)
})

test('over HTTP: a JSON POST from the page produces; other content types and other origins are refused', async () => {
  const url = new URL(`/api/topics/${topic}/messages`, server.url)
  const body = JSON.stringify({ value: 'from http' })
  const sameOrigin = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: new URL(server.url).origin },
    body,
  })
  assert.is(sameOrigin.status, 200)
  const asForm = await fetch(url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body })
  assert.is(asForm.status, 400)
  const otherSite = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: 'http://evil.example' },
    body,
  })
  assert.is(otherSite.status, 400)
  assert.match(
    ((await otherSite.json()) as { error: { message: string } }).error.message,
    /origin http:\/\/evil\.example is refused/,
  )
})

test.run()
