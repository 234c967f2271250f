// Proves every Kafka API at every version we speak survives encode then decode (requests and
// responses, flexible and classic), that every cut-off request is INVALID_REQUEST, and that
// random bodies never escape as anything but INVALID_REQUEST.
import * as fc from 'fast-check'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { isWeirError, Kafka } from '../../src/index.js'
import { arbitraryStruct, project } from './schema-support.js'

const runs = 40

function cases(): Array<{ api: Kafka.AnyKafkaApi; version: number }> {
  const all: Array<{ api: Kafka.AnyKafkaApi; version: number }> = []
  for (const api of Kafka.kafkaApis) {
    for (let version = api.versionMin; version <= api.versionMax; version++) all.push({ api, version })
  }
  return all
}

const header = (version: number) => ({ apiVersion: version, correlationId: 7, clientId: 'weir-test' })

test('the codec covers the 22 APIs of the brief, 97 API versions in all', () => {
  assert.is(Kafka.kafkaApis.length, 22)
  assert.is(cases().length, 97)
})

for (const { api, version } of cases()) {
  test(`${api.name} v${version} request round-trips`, () => {
    fc.assert(
      fc.property(arbitraryStruct(api.request, version), (request) => {
        const frame = Kafka.encodeKafkaRequest(api, header(version), request)
        assert.is(frame.readInt32BE(0), frame.length - 4)
        const decoded = Kafka.decodeKafkaRequest(frame.subarray(4))
        assert.is(decoded.kind, 'request')
        if (decoded.kind !== 'request') return
        assert.equal(decoded.header, { apiKey: api.apiKey, ...header(version) })
        assert.equal(project(api.request, version, decoded.body), project(api.request, version, request))
      }),
      { numRuns: runs },
    )
  })

  test(`${api.name} v${version} response round-trips`, () => {
    fc.assert(
      fc.property(arbitraryStruct(api.response, version), (response) => {
        const frame = Kafka.encodeKafkaResponse(api, version, 99, response)
        const decoded = Kafka.decodeKafkaResponse(api, version, frame.subarray(4))
        assert.is(decoded.correlationId, 99)
        assert.equal(
          project(api.response, version, decoded.response as Record<string, unknown>),
          project(api.response, version, response),
        )
      }),
      { numRuns: runs },
    )
  })

  test(`${api.name} v${version}: every cut-off request is INVALID_REQUEST`, () => {
    fc.assert(
      fc.property(arbitraryStruct(api.request, version), (request) => {
        const body = Kafka.encodeKafkaRequest(api, header(version), request).subarray(4)
        for (let cut = 0; cut < body.length; cut++) {
          try {
            Kafka.decodeKafkaRequest(body.subarray(0, cut))
            assert.unreachable(`a ${cut}-byte prefix of ${body.length} decoded`)
          } catch (error) {
            assert.ok(isWeirError(error, 'INVALID_REQUEST'), `cut at ${cut}: ${error}`)
          }
        }
      }),
      { numRuns: 5 },
    )
  })

  test(`${api.name} v${version}: random bodies decode or fail with INVALID_REQUEST only`, () => {
    const headerBytes = Kafka.encodeKafkaRequest(api, header(version), {}).subarray(4)
    const prefixBytes =
      10 + Buffer.byteLength('weir-test') + (Kafka.requestHeaderVersion(api, version) === 2 ? 1 : 0)
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (garbage) => {
        const frame = Buffer.concat([headerBytes.subarray(0, prefixBytes), garbage])
        try {
          Kafka.decodeKafkaRequest(frame)
        } catch (error) {
          assert.ok(isWeirError(error, 'INVALID_REQUEST'), String(error))
        }
      }),
      { numRuns: 60 },
    )
  })
}

test('fields a version does not carry decode to their documented defaults', () => {
  const frame = Kafka.encodeKafkaRequest(Kafka.metadataApi, header(0), {
    topics: [{ name: 'a' }],
    allowAutoTopicCreation: false,
    includeClusterAuthorizedOperations: true,
    includeTopicAuthorizedOperations: true,
  })
  const request = Kafka.requestOf(Kafka.decodeKafkaRequest(frame.subarray(4)), Kafka.metadataApi)
  assert.equal(request, {
    topics: [{ name: 'a' }],
    allowAutoTopicCreation: true,
    includeClusterAuthorizedOperations: false,
    includeTopicAuthorizedOperations: false,
  })
})

test('null is refused where the version has no null', () => {
  // Metadata v0 topics are not nullable: an array length of -1 is malformed.
  const frame = Buffer.from('0003000000000001ffffffffffff', 'hex')
  try {
    Kafka.decodeKafkaRequest(frame)
    assert.unreachable()
  } catch (error) {
    assert.ok(isWeirError(error, 'INVALID_REQUEST'))
    assert.match((error as Error).message, /topics is null/)
  }
})

test('unknown API keys and versions come back with their header, for an answer', () => {
  const unknownKey = Kafka.decodeKafkaRequest(Buffer.from('03e700000000002a0000', 'hex'))
  assert.equal(unknownKey, {
    kind: 'unknown-api',
    header: { apiKey: 999, apiVersion: 0, correlationId: 42, clientId: '' },
  })
  const newProduce = Kafka.decodeKafkaRequest(Buffer.from('0000000900000001ffff', 'hex'))
  assert.is(newProduce.kind, 'unsupported-version')
  assert.is(newProduce.header.apiVersion, 9)
})

test('bytes after the last field are INVALID_REQUEST, not ignored', () => {
  const frame = Kafka.encodeKafkaRequest(Kafka.heartbeatApi, header(0), {
    groupId: 'g',
    generationId: 1,
    memberId: 'm',
    groupInstanceId: null,
  })
  try {
    Kafka.decodeKafkaRequest(Buffer.concat([frame.subarray(4), Buffer.from([0])]))
    assert.unreachable()
  } catch (error) {
    assert.ok(isWeirError(error, 'INVALID_REQUEST'))
    assert.match((error as Error).message, /1 bytes after its last field/)
  }
})

test.run()
