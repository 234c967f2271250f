// Proves the client validates its options up front and fails with BROKER_UNAVAILABLE, naming every address tried, when no broker listens.
import { createServer } from 'node:net'
import { isWeirError, nodeEnvironment } from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Cluster } from '../src/cluster.js'
import { Client, Weir, WeirError } from '../src/index.js'

async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

test('Weir is the Client under the name the docs use: new Weir({ brokers, tls, sasl })', async () => {
  assert.is(Weir, Client)
  const client = new Weir({
    brokers: ['127.0.0.1:1'],
    tls: { ca: 'x' },
    sasl: { mechanism: 'scram-sha-256', username: 'a', password: 'b' },
  })
  assert.ok(client instanceof Client)
  await client.close()
})

test('bad client options are INVALID_CONFIG with the option named', () => {
  const cases: Array<[unknown, RegExp]> = [
    [{ brokers: [] }, /brokers/],
    [{ brokers: ['nohost'] }, /host:port/],
    [{ brokers: ['127.0.0.1:7171'], maxInFlight: 0 }, /maxInFlight/],
    [{ brokers: ['127.0.0.1:7171'], requestTimeoutMs: 'soon' }, /requestTimeoutMs/],
  ]
  for (const [options, pattern] of cases) {
    assert.throws(
      () => new Client(options as ConstructorParameters<typeof Client>[0]),
      (error: unknown) =>
        error instanceof WeirError && error.code === 'INVALID_CONFIG' && pattern.test(error.message),
    )
  }
})

test('consumer options are checked when the consumer is made', async () => {
  const client = new Client({ brokers: ['127.0.0.1:1'] })
  assert.throws(
    () => client.consumer({ topics: [] }),
    (error: unknown) => isWeirError(error, 'INVALID_CONFIG'),
  )
  assert.throws(
    () => client.consumer({ topics: ['t'], maxPrefetchBytes: 0 }),
    (error: unknown) =>
      isWeirError(error, 'INVALID_CONFIG') && /maxPrefetchBytes/.test((error as Error).message),
  )
  await client.close()
})

test('BROKER_UNAVAILABLE names every bootstrap address when none answers', async () => {
  const ports = [await closedPort(), await closedPort()]
  const client = new Client({ brokers: ports.map((port) => `127.0.0.1:${port}`), connectTimeoutMs: 1000 })
  try {
    await client.admin().listTopics()
    assert.unreachable()
  } catch (error) {
    assert.ok(isWeirError(error, 'BROKER_UNAVAILABLE'), String(error))
    for (const port of ports) assert.match((error as Error).message, `127.0.0.1:${port}`)
  }
  await client.close()
})

test('a leader that just refused a connection fails fast (the caller refreshes metadata) instead of being waited for', async () => {
  const port = await closedPort()
  const cluster = new Cluster({
    brokers: [`127.0.0.1:${port}`],
    connectTimeoutMs: 1000,
    requestTimeoutMs: 1000,
    inFlightMax: 1,
    frameBytesMax: 1024 * 1024,
    reconnectBackoffMs: 60_000,
    reconnectBackoffMsMax: 60_000,
    metadataMaxAgeMs: 1000,
    environment: nodeEnvironment,
  })
  // As if metadata had named broker 1 at that address.
  const known = cluster as unknown as { brokersById: Map<number, { id: number; host: string; port: number }> }
  known.brokersById.set(1, { id: 1, host: '127.0.0.1', port })
  const first = await cluster.connectionFor(1).then(
    () => undefined,
    (error: Error) => error,
  )
  assert.ok(first !== undefined && !/tries again in/.test(first.message), String(first))
  const second = await cluster.connectionFor(1).then(
    () => undefined,
    (error: Error) => error,
  )
  assert.ok(isWeirError(second, 'BROKER_UNAVAILABLE'), String(second))
  assert.match(second.message, /tries again in \d+ ms/)
  cluster.close()
})

test('a closed client refuses new work with CLIENT_CLOSED', async () => {
  const client = new Client({ brokers: ['127.0.0.1:1'] })
  await client.close()
  assert.throws(
    () => client.producer(),
    (error: unknown) => isWeirError(error, 'CLIENT_CLOSED'),
  )
})

test.run()
