// Which Kafka APIs a broker's Kafka listener advertises: one ApiVersions v0 request over a plain
// socket. The benchmark asks before it measures so that a row the listener cannot serve yet (a
// KafkaJS consumer needs the group APIs) is reported as skipped with the reason, not as a hang.
import { connect } from 'node:net'
import { Kafka } from '@weir/protocol'

const probeTimeoutMs = 10_000

/** Kafka API key → the versions advertised. */
export type AdvertisedApis = ReadonlyMap<number, { readonly minVersion: number; readonly maxVersion: number }>

export function probeKafkaApis(host: string, port: number): Promise<AdvertisedApis> {
  const request = Kafka.encodeKafkaRequest(
    Kafka.apiVersionsApi,
    { apiVersion: 0, correlationId: 1, clientId: 'weir-bench' },
    { clientSoftwareName: '', clientSoftwareVersion: '' },
  )
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port })
    let received = Buffer.alloc(0)
    const fail = (reason: string) => {
      socket.destroy()
      reject(new Error(`Kafka ApiVersions to ${host}:${port} failed: ${reason}`))
    }
    const timer = setTimeout(() => fail(`no answer within ${probeTimeoutMs} ms`), probeTimeoutMs)
    socket.once('connect', () => socket.write(request))
    socket.once('error', (error) => {
      clearTimeout(timer)
      fail(error.message)
    })
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk])
      if (received.length < 4 || received.length < 4 + received.readInt32BE(0)) return
      clearTimeout(timer)
      socket.end()
      const frame = received.subarray(4, 4 + received.readInt32BE(0))
      const { response } = Kafka.decodeKafkaResponse(Kafka.apiVersionsApi, 0, frame)
      if (response.errorCode !== 0) return fail(`error code ${response.errorCode}`)
      resolve(
        new Map(
          response.apiKeys.map(({ apiKey, minVersion, maxVersion }) => [apiKey, { minVersion, maxVersion }]),
        ),
      )
    })
  })
}

/** The APIs a client needs that `advertised` lacks, by name; empty when it has them all. */
export function missingKafkaApis(
  advertised: AdvertisedApis,
  needed: readonly Kafka.KafkaApiName[],
): string[] {
  return needed.filter((name) => !advertised.has(Kafka.KafkaApiKeys[name]))
}
