// SCRAM-SHA-256 and SCRAM-SHA-512 (RFC 5802, RFC 7677): the message grammar and the key math,
// shared by the client (which proves a password) and the broker (which checks the proof against a
// stored credential and never sees the password). Pure: nonces and salts are handed in, so the
// RFC 7677 example exchange is reproduced byte for byte in the tests. node:crypto only hashes.
//   client-first = "n,," "n=" saslname ",r=" c-nonce          (no channel binding, no authzid)
//   server-first = "r=" c-nonce s-nonce ",s=" base64(salt) ",i=" iterations
//   client-final = "c=biws,r=" c-nonce s-nonce ",p=" base64(ClientProof)
//   server-final = "v=" base64(ServerSignature)
import { createHash, createHmac, pbkdf2Sync, timingSafeEqual } from 'node:crypto'
import { WeirError } from '../weir-error.js'

/** Mechanism names as SASL spells them on the wire. */
export const ScramMechanisms = {
  'SCRAM-SHA-256': { hash: 'sha256', keyBytes: 32 },
  'SCRAM-SHA-512': { hash: 'sha512', keyBytes: 64 },
} as const

export type ScramMechanism = keyof typeof ScramMechanisms

/** RFC 7677 asks for at least 4096; fewer would make a stolen credential cheap to brute-force. */
export const scramIterationsMin = 4096
/** Above this a login costs the client seconds: a typo, not a choice. */
export const scramIterationsMax = 1_000_000
export const scramSaltBytesMin = 8
export const scramSaltBytesMax = 64
/** Longest SCRAM user name accepted (it travels in the first, unauthenticated message). */
export const scramUsernameLengthMax = 255
/** A nonce long enough to be unguessable, short enough to bound the first messages. */
const nonceLengthMin = 16
const nonceLengthMax = 256

/** What a broker stores per user and mechanism: never the password (RFC 5802 §3). */
export interface ScramCredential {
  readonly salt: Buffer
  readonly iterations: number
  readonly storedKey: Buffer
  readonly serverKey: Buffer
}

export function isScramMechanism(name: string): name is ScramMechanism {
  return Object.hasOwn(ScramMechanisms, name)
}

function failed(why: string): WeirError {
  return new WeirError('SASL_AUTHENTICATION_FAILED', `SCRAM: ${why}`)
}

function hmac(mechanism: ScramMechanism, key: Buffer, text: string | Buffer): Buffer {
  return createHmac(ScramMechanisms[mechanism].hash, key).update(text).digest()
}

function digest(mechanism: ScramMechanism, data: Buffer): Buffer {
  return createHash(ScramMechanisms[mechanism].hash).update(data).digest()
}

function xor(left: Buffer, right: Buffer): Buffer {
  const out = Buffer.alloc(left.length)
  for (let index = 0; index < left.length; index++) out[index] = left[index]! ^ right[index]!
  return out
}

/** Hi(password, salt, i) of RFC 5802: PBKDF2 with the mechanism's HMAC. */
export function saltedPassword(
  mechanism: ScramMechanism,
  password: string,
  salt: Buffer,
  iterations: number,
): Buffer {
  const { hash, keyBytes } = ScramMechanisms[mechanism]
  return pbkdf2Sync(password.normalize('NFKC'), salt, iterations, keyBytes, hash)
}

/** The stored credential for a password; the only place a password is turned into one. */
export function scramCredential(
  mechanism: ScramMechanism,
  password: string,
  salt: Buffer,
  iterations: number,
): ScramCredential {
  checkCredentialShape(mechanism, { salt, iterations })
  const salted = saltedPassword(mechanism, password, salt, iterations)
  return credentialFromSalted(mechanism, salted, salt, iterations)
}

function credentialFromSalted(
  mechanism: ScramMechanism,
  salted: Buffer,
  salt: Buffer,
  iterations: number,
): ScramCredential {
  const clientKey = hmac(mechanism, salted, 'Client Key')
  return {
    salt,
    iterations,
    storedKey: digest(mechanism, clientKey),
    serverKey: hmac(mechanism, salted, 'Server Key'),
  }
}

/** INVALID_CONFIG naming what is off: iterations, salt length, key lengths. */
export function checkCredentialShape(mechanism: ScramMechanism, credential: Partial<ScramCredential>): void {
  const bad = (why: string) => new WeirError('INVALID_CONFIG', `${mechanism} credential: ${why}`)
  const { iterations, salt, storedKey, serverKey } = credential
  if (
    typeof iterations !== 'number' ||
    !Number.isInteger(iterations) ||
    iterations < scramIterationsMin ||
    iterations > scramIterationsMax
  ) {
    throw bad(`iterations must be an integer from ${scramIterationsMin} to ${scramIterationsMax}`)
  }
  if (!Buffer.isBuffer(salt) || salt.length < scramSaltBytesMin || salt.length > scramSaltBytesMax)
    throw bad(`salt must be ${scramSaltBytesMin} to ${scramSaltBytesMax} bytes`)
  const keyBytes = ScramMechanisms[mechanism].keyBytes
  for (const [name, key] of [
    ['storedKey', storedKey],
    ['serverKey', serverKey],
  ] as const) {
    if (key !== undefined && (!Buffer.isBuffer(key) || key.length !== keyBytes))
      throw bad(`${name} must be ${keyBytes} bytes`)
  }
}

/** RFC 5802 saslname: ',' and '=' are escaped as =2C and =3D. */
function encodeSaslName(name: string): string {
  return name.replace(/=/g, '=3D').replace(/,/g, '=2C')
}

function decodeSaslName(text: string): string {
  if (/=(?!2C|3D)/.test(text)) throw failed('user name has a bad "=" escape')
  return text.replace(/=2C/g, ',').replace(/=3D/g, '=')
}

/** A nonce is printable ASCII without ',' (RFC 5802 §7). */
function checkNonce(nonce: string, what: string): void {
  if (
    nonce.length < nonceLengthMin ||
    nonce.length > nonceLengthMax ||
    !/^[\x21-\x2b\x2d-\x7e]+$/.test(nonce)
  )
    throw failed(`${what} must be ${nonceLengthMin} to ${nonceLengthMax} printable characters without commas`)
}

/** `a=1,b=2` into its attributes, in order; a repeated or malformed attribute fails. */
function attributes(message: string, expected: readonly string[]): Map<string, string> {
  const parts = message.split(',')
  const found = new Map<string, string>()
  for (const [index, name] of expected.entries()) {
    const part = parts[index]
    if (part === undefined || !part.startsWith(`${name}=`)) throw failed(`expected attribute ${name}=`)
    found.set(name, part.slice(2))
  }
  // RFC 5802 allows extensions after the known attributes; none is understood, so none is accepted.
  if (parts.length !== expected.length) throw failed('unexpected extra attributes')
  return found
}

function base64(text: string, what: string): Buffer {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw failed(`${what} is not base64`)
  return Buffer.from(text, 'base64')
}

// ---- client side ----

export interface ClientFirst {
  readonly message: string
  /** client-first-message-bare: part of the AuthMessage both sides sign. */
  readonly bare: string
  readonly clientNonce: string
}

export function clientFirstMessage(username: string, clientNonce: string): ClientFirst {
  checkNonce(clientNonce, 'the client nonce')
  const bare = `n=${encodeSaslName(username)},r=${clientNonce}`
  return { message: `n,,${bare}`, bare, clientNonce }
}

export interface ServerFirst {
  readonly message: string
  /** Client nonce followed by the server's. */
  readonly nonce: string
  readonly salt: Buffer
  readonly iterations: number
}

/** Checks the server kept our nonce and asks for a sane iteration count. */
export function parseServerFirst(message: string, clientNonce: string): ServerFirst {
  const fields = attributes(message, ['r', 's', 'i'])
  const nonce = fields.get('r')!
  if (!nonce.startsWith(clientNonce) || nonce.length <= clientNonce.length)
    throw failed('the server nonce does not extend the client nonce')
  checkNonce(nonce, 'the combined nonce')
  const salt = base64(fields.get('s')!, 'the salt')
  const iterations = Number(fields.get('i'))
  if (!Number.isInteger(iterations) || iterations < scramIterationsMin || iterations > scramIterationsMax)
    throw failed(`iteration count must be from ${scramIterationsMin} to ${scramIterationsMax}`)
  return { message, nonce, salt, iterations }
}

export interface ClientFinal {
  readonly message: string
  /** What server-final must carry, or the server does not know the password either. */
  readonly serverSignature: Buffer
}

const channelBindingNone = Buffer.from('n,,').toString('base64')

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b)
}

function withoutProof(nonce: string): string {
  return `c=${channelBindingNone},r=${nonce}`
}

export function clientFinalMessage(
  mechanism: ScramMechanism,
  password: string,
  first: ClientFirst,
  serverFirst: ServerFirst,
): ClientFinal {
  const salted = saltedPassword(mechanism, password, serverFirst.salt, serverFirst.iterations)
  const clientKey = hmac(mechanism, salted, 'Client Key')
  const storedKey = digest(mechanism, clientKey)
  const final = withoutProof(serverFirst.nonce)
  const authMessage = `${first.bare},${serverFirst.message},${final}`
  const proof = xor(clientKey, hmac(mechanism, storedKey, authMessage))
  const serverKey = hmac(mechanism, salted, 'Server Key')
  return {
    message: `${final},p=${proof.toString('base64')}`,
    serverSignature: hmac(mechanism, serverKey, authMessage),
  }
}

/** Fails unless the server proved it holds our credential (or answered an error). */
export function checkServerFinal(message: string, expected: Buffer): void {
  if (message.startsWith('e=')) throw failed(`the server refused: ${message.slice(2)}`)
  const signature = base64(attributes(message, ['v']).get('v')!, 'the server signature')
  if (signature.length !== expected.length || !timingSafeEqual(signature, expected))
    throw failed('the server signature does not match: this server does not know the password')
}

// ---- server side ----

export interface ParsedClientFirst {
  readonly username: string
  readonly clientNonce: string
  readonly bare: string
}

/** Only the gs2 header `n,,` is accepted: no channel binding, no authorization identity. */
export function parseClientFirst(message: string): ParsedClientFirst {
  if (!message.startsWith('n,,')) throw failed('client-first must start with "n,," (no channel binding)')
  const bare = message.slice(3)
  const fields = attributes(bare, ['n', 'r'])
  const username = decodeSaslName(fields.get('n')!)
  if (username === '' || username.length > scramUsernameLengthMax)
    throw failed(`user name must be 1 to ${scramUsernameLengthMax} characters`)
  const clientNonce = fields.get('r')!
  checkNonce(clientNonce, 'the client nonce')
  return { username, clientNonce, bare }
}

export function serverFirstMessage(
  clientNonce: string,
  serverNonce: string,
  credential: Pick<ScramCredential, 'salt' | 'iterations'>,
): ServerFirst {
  const nonce = `${clientNonce}${serverNonce}`
  checkNonce(nonce, 'the combined nonce')
  const message = `r=${nonce},s=${credential.salt.toString('base64')},i=${credential.iterations}`
  return { message, nonce, salt: credential.salt, iterations: credential.iterations }
}

/**
 * Checks client-final against the stored credential. Returns server-final on success; fails with
 * SASL_AUTHENTICATION_FAILED otherwise. The work is the same whether the proof is right or not
 * (two HMACs, one hash, one constant-time comparison).
 */
export function verifyClientFinal(
  mechanism: ScramMechanism,
  credential: ScramCredential,
  clientFirst: ParsedClientFirst,
  serverFirst: ServerFirst,
  message: string,
): string {
  const fields = attributes(message, ['c', 'r', 'p'])
  if (fields.get('c') !== channelBindingNone) throw failed('channel binding must be "biws" (n,,)')
  const nonce = fields.get('r')!
  const nonceBytes = Buffer.from(nonce)
  const expectedNonce = Buffer.from(serverFirst.nonce)
  const proof = base64(fields.get('p')!, 'the proof')
  const authMessage = `${clientFirst.bare},${serverFirst.message},${withoutProof(nonce)}`
  const signature = hmac(mechanism, credential.storedKey, authMessage)
  const clientKey = proof.length === signature.length ? xor(proof, signature) : Buffer.alloc(signature.length)
  const computed = digest(mechanism, clientKey)
  const proofMatches = timingSafeEqual(computed, credential.storedKey)
  // librdkafka before 2.6.1 (kcat, confluent-kafka-*) sends its own nonce again in front of the
  // combined one; Kafka 3.8.1-3.9 accept that, so Kafka's tools log in. The server nonce is still
  // in it (the freshness the check exists for) and the proof covers the nonce as sent.
  const librdkafkaNonce = Buffer.from(`${clientFirst.clientNonce}${serverFirst.nonce}`)
  const nonceMatches = sameBytes(nonceBytes, expectedNonce) || sameBytes(nonceBytes, librdkafkaNonce)
  if (!nonceMatches) throw failed('client-final nonce differs from the combined nonce')
  if (!proofMatches || proof.length !== signature.length) throw failed('wrong user name or password')
  return `v=${hmac(mechanism, credential.serverKey, authMessage).toString('base64')}`
}

/**
 * A credential for a user that does not exist, derived from a server secret so the same unknown
 * name always gets the same salt: the exchange then looks and costs the same as for a real user,
 * and cannot be used to learn which names exist.
 */
export function fakeScramCredential(
  mechanism: ScramMechanism,
  serverSecret: Buffer,
  username: string,
): ScramCredential {
  const derive = (label: string) => hmac(mechanism, serverSecret, `${label}\0${mechanism}\0${username}`)
  return {
    salt: derive('salt').subarray(0, 16),
    iterations: scramIterationsMin,
    storedKey: derive('stored'),
    serverKey: derive('server'),
  }
}

/**
 * PLAIN (RFC 4616) checked against a SCRAM credential: the password is salted the way the
 * credential was and compared in constant time. Only ever offered over TLS.
 */
export function verifyPlainPassword(
  mechanism: ScramMechanism,
  credential: ScramCredential,
  password: string,
): boolean {
  const salted = saltedPassword(mechanism, password, credential.salt, credential.iterations)
  const computed = credentialFromSalted(mechanism, salted, credential.salt, credential.iterations)
  return timingSafeEqual(computed.storedKey, credential.storedKey)
}

/** PLAIN's message: authzid NUL authcid NUL passwd. An authzid other than the user is refused. */
export function parsePlainMessage(bytes: Buffer): { username: string; password: string } {
  const parts = bytes.toString('utf8').split('\0')
  if (parts.length !== 3)
    throw new WeirError('SASL_AUTHENTICATION_FAILED', 'PLAIN: expected authzid\\0user\\0password')
  const [authorizationId, username, password] = parts as [string, string, string]
  if (username === '' || username.length > scramUsernameLengthMax)
    throw new WeirError(
      'SASL_AUTHENTICATION_FAILED',
      `PLAIN: user name must be 1 to ${scramUsernameLengthMax} characters`,
    )
  if (authorizationId !== '' && authorizationId !== username)
    throw new WeirError('SASL_AUTHENTICATION_FAILED', 'PLAIN: acting as another user is not supported')
  return { username, password }
}

export function plainMessage(username: string, password: string): Buffer {
  return Buffer.from(`\0${username}\0${password}`, 'utf8')
}
