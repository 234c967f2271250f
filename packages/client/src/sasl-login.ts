// Logs one connection in with SASL before it carries any other request: SaslHandshake, then the
// SCRAM exchange (client-first, client-final, checking the server's signature so a broker that
// does not know the password is not trusted either) or PLAIN. A failure is
// SASL_AUTHENTICATION_FAILED (not retriable: the same password fails again).
import { randomBytes } from 'node:crypto'
import {
  type Connection,
  checkServerFinal,
  clientFinalMessage,
  clientFirstMessage,
  parseServerFirst,
  plainMessage,
  SaslAuthenticate,
  SaslHandshake,
  type ScramMechanism,
  WeirError,
} from '@weir/protocol'

export const saslMechanisms = ['scram-sha-256', 'scram-sha-512', 'plain'] as const
export type SaslMechanism = (typeof saslMechanisms)[number]

export interface SaslOptions {
  readonly mechanism: SaslMechanism
  readonly username: string
  readonly password: string
}

/** Checks the `sasl` client option when the client is built. */
export function checkSaslOptions(sasl: SaslOptions): SaslOptions {
  const bad = (why: string) => new WeirError('INVALID_CONFIG', `client option sasl: ${why}`)
  if (typeof sasl !== 'object' || sasl === null) throw bad('must be { mechanism, username, password }')
  if (!(saslMechanisms as readonly string[]).includes(sasl.mechanism))
    throw bad(`mechanism must be one of ${saslMechanisms.join(', ')}, got ${JSON.stringify(sasl.mechanism)}`)
  if (typeof sasl.username !== 'string' || sasl.username === '')
    throw bad('username must be a non-empty string')
  if (typeof sasl.password !== 'string') throw bad('password must be a string')
  return sasl
}

async function step(connection: Connection, authBytes: Buffer): Promise<Buffer> {
  return (await connection.request(SaslAuthenticate, { authBytes })).authBytes
}

/** Errors: SASL_AUTHENTICATION_FAILED, UNSUPPORTED_SASL_MECHANISM, and the connection's own. */
export async function saslLogin(connection: Connection, sasl: SaslOptions): Promise<void> {
  const mechanism = sasl.mechanism.toUpperCase()
  await connection.request(SaslHandshake, { mechanism })
  if (mechanism === 'PLAIN') {
    await step(connection, plainMessage(sasl.username, sasl.password))
    return
  }
  const scram = mechanism as ScramMechanism
  const first = clientFirstMessage(sasl.username, randomBytes(24).toString('base64'))
  const serverFirst = parseServerFirst(
    (await step(connection, Buffer.from(first.message))).toString('utf8'),
    first.clientNonce,
  )
  const final = clientFinalMessage(scram, sasl.password, first, serverFirst)
  const serverFinal = await step(connection, Buffer.from(final.message))
  checkServerFinal(serverFinal.toString('utf8'), final.serverSignature)
}
