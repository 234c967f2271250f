// Proves a connection asks ApiVersions once and sends Fetch and Produce in the highest version both sides speak: v1 (segmented records, written as one writev or one concatenated write) to a broker that lists it, v0 to a first-release broker; over TCP, TLS and the in-memory network.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { ApiKeys, ApiVersions, Fetch, type FetchResponse, Produce } from '../src/apis/index.js'
import { Connection } from '../src/connection.js'
import { nodeTimers, type Transport, type TransportSocket } from '../src/environment.js'
import { FrameReader, parseRequestFrame } from '../src/frame.js'
import { decodeApiBody, encodeApiResponseFrame, segmentBytesMin, writeFrame } from '../src/frame-body.js'
import { MemoryNetwork } from '../src/transport/memory-transport.js'
import { tcpTransport } from '../src/transport/tcp-transport.js'
import { tlsTransport } from '../src/transport/tls-transport.js'
import { tlsFixture } from './support/tls-fixtures.js'

interface Network {
  readonly host: string
  readonly server: Transport
  readonly client: Transport
}

const records = Buffer.alloc(4 * segmentBytesMin, 0x5a)

/** A broker stand-in listing Fetch and Produce up to `versionMax`; records every request's key and version. */
async function startBroker(network: Network, versionMax: number) {
  const seen: string[] = []
  const sockets: TransportSocket[] = []
  const listener = await network.server.listen({ host: network.host, port: 0 }, (socket) => {
    sockets.push(socket)
    socket.on('error', () => {})
    const reader = new FrameReader(1 << 20, 8)
    socket.on('data', (chunk) => {
      for (const payload of reader.push(chunk)) {
        const { header, body } = parseRequestFrame(payload)
        seen.push(`${header.apiKey}v${header.apiVersion}`)
        const respond = (api: unknown, response: unknown) =>
          writeFrame(
            socket,
            encodeApiResponseFrame(api as never, header.apiVersion, header.correlationId, response),
          )
        if (header.apiKey === ApiKeys.ApiVersions) {
          const apis = [ApiKeys.Fetch, ApiKeys.Produce].map((apiKey) => ({
            apiKey,
            versionMin: 0,
            versionMax,
          }))
          respond(ApiVersions, { brokerId: 1, apis: versionMax === 0 ? [] : apis })
        } else if (header.apiKey === ApiKeys.Produce) {
          const request = Produce.decodeRequest(
            decodeApiBody(Produce as never, 'request', header.apiVersion, body),
          )
          const sent = request.topics[0]!.partitions[0]!.records
          respond(Produce, {
            topics: [
              {
                name: 't',
                partitions: [{ partition: 0, errorCode: 0, baseOffset: sent.length, logStartOffset: 0 }],
              },
            ],
          })
        } else {
          const response: FetchResponse = {
            topics: [
              {
                name: 't',
                partitions: [{ partition: 0, errorCode: 0, highWatermark: 1, logStartOffset: 0, records }],
              },
            ],
          }
          respond(Fetch, response)
        }
      }
    })
  })
  return {
    seen,
    port: listener.port,
    stop: async () => {
      for (const socket of sockets) socket.destroy()
      await listener.close()
    },
  }
}

function versionSuite(name: string, makeNetwork: () => Network): void {
  const test = suite(name)
  for (const versionMax of [0, 1]) {
    test(`a broker speaking up to v${versionMax} gets Fetch and Produce in v${versionMax}`, async () => {
      const network = makeNetwork()
      const broker = await startBroker(network, versionMax)
      const connection = await Connection.open({
        host: network.host,
        port: broker.port,
        connectTimeoutMs: 2000,
        requestTimeoutMs: 2000,
        inFlightMax: 4,
        frameBytesMax: 1 << 20,
        transport: network.client,
        timers: nodeTimers,
      })
      try {
        const fetched = await connection.request(Fetch, {
          maxWaitMs: 0,
          minBytes: 0,
          maxBytes: 1 << 20,
          topics: [{ name: 't', partitions: [{ partition: 0, fetchOffset: 0, maxBytes: 1 << 20 }] }],
        })
        assert.ok(fetched.topics[0]!.partitions[0]!.records.equals(records))
        const produced = await connection.request(Produce, {
          acks: 1,
          timeoutMs: 1000,
          topics: [{ name: 't', partitions: [{ partition: 0, records }] }],
        })
        assert.is(
          produced.topics[0]!.partitions[0]!.baseOffset,
          records.length,
          'the broker got every record byte',
        )
        assert.equal(broker.seen, ['0v0', `5v${versionMax}`, `4v${versionMax}`], 'ApiVersions once, first')
      } finally {
        connection.close()
        await broker.stop()
      }
    })
  }
  test.run()
}

versionSuite('versions over TCP', () => ({ host: '127.0.0.1', server: tcpTransport, client: tcpTransport }))

versionSuite('versions over TLS', () => ({
  host: '127.0.0.1',
  server: tlsTransport({ cert: tlsFixture('broker.pem'), key: tlsFixture('broker.key') }),
  client: tlsTransport({ ca: tlsFixture('ca.pem') }),
}))

versionSuite('versions over the memory network', () => {
  const network = new MemoryNetwork({ timers: nodeTimers, random: () => 0.5 })
  return { host: 'broker', server: network.transport('broker'), client: network.transport('client') }
})
