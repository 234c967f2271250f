// SCRAM logins for the Kafka listener's tests: over raw Kafka frames (KafkaWire), and over the
// native listener (WireClient) for the admin who creates users and ACLs there.
import {
  checkServerFinal,
  clientFinalMessage,
  clientFirstMessage,
  Kafka,
  parseServerFirst,
  SaslAuthenticate,
  SaslHandshake,
  type ScramMechanism,
} from '@weir/protocol'
import type { WireClient } from '../support/wire-client.js'
import type { KafkaWire } from './kafka-wire.js'

/** A SCRAM exchange over Kafka frames; the error code of the step that failed (0: logged in). */
export async function kafkaScramLogin(
  wire: KafkaWire,
  mechanism: ScramMechanism,
  user: string,
  secret: string,
): Promise<number> {
  const handshake = await wire.call(Kafka.saslHandshakeApi, 1, { mechanism })
  if (handshake.errorCode) return handshake.errorCode
  const first = clientFirstMessage(user, 'abcdefghijklmnopqrstuvwx')
  const serverFirst = await wire.call(Kafka.saslAuthenticateApi, 1, { authBytes: Buffer.from(first.message) })
  if (serverFirst.errorCode) return serverFirst.errorCode
  const parsed = parseServerFirst(Buffer.from(serverFirst.authBytes).toString(), first.clientNonce)
  const final = clientFinalMessage(mechanism, secret, first, parsed)
  const serverFinal = await wire.call(Kafka.saslAuthenticateApi, 1, { authBytes: Buffer.from(final.message) })
  if (serverFinal.errorCode) return serverFinal.errorCode
  checkServerFinal(Buffer.from(serverFinal.authBytes).toString(), final.serverSignature)
  return 0
}

/** The same over the native listener; throws unless it logged in. */
export async function nativeScramLogin(client: WireClient, user: string, secret: string): Promise<void> {
  const mechanism = 'SCRAM-SHA-256'
  const handshake = await client.call(SaslHandshake, { mechanism })
  if (handshake.errorCode) throw new Error(`SaslHandshake: ${handshake.errorMessage}`)
  const first = clientFirstMessage(user, 'abcdefghijklmnopqrstuvwx')
  const serverFirst = await client.call(SaslAuthenticate, { authBytes: Buffer.from(first.message) })
  const parsed = parseServerFirst(serverFirst.authBytes.toString(), first.clientNonce)
  const final = clientFinalMessage(mechanism, secret, first, parsed)
  const serverFinal = await client.call(SaslAuthenticate, { authBytes: Buffer.from(final.message) })
  checkServerFinal(serverFinal.authBytes.toString(), final.serverSignature)
}
