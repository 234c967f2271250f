// SCRAM users as controller-log records, and the part of the cluster image that holds them. Only
// the credential is stored (salt, iterations, StoredKey, ServerKey), never a password. Every
// broker applies the same records, so a user created through any broker can log in at every
// broker, and a change takes effect as soon as the record is applied (no restart).
import {
  checkCredentialShape,
  isScramMechanism,
  type ScramCredential,
  type ScramMechanism,
  WeirError,
} from '@weir/protocol'

export type UserRecord =
  | {
      readonly type: 'userCredentialSet'
      /** The user name (the principal becomes `User:<name>`). */
      readonly name: string
      readonly mechanism: ScramMechanism
      readonly iterations: number
      readonly salt: Buffer
      readonly storedKey: Buffer
      readonly serverKey: Buffer
    }
  | { readonly type: 'userDeleted'; readonly name: string }

export const userRecordTypes: readonly string[] = ['userCredentialSet', 'userDeleted']

export function isUserRecord(record: { readonly type: string }): record is UserRecord {
  return userRecordTypes.includes(record.type)
}

function asBuffer(value: unknown): Buffer | undefined {
  if (!(value instanceof Uint8Array)) return undefined
  return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength)
}

/**
 * Shape check of a user record from a peer or the log; `bad` builds the caller's typed error.
 * Binary fields come back from msgpack as Uint8Array or Buffer: they are returned as Buffers.
 */
export function checkUserRecord(record: Record<string, unknown>, bad: (why: string) => Error): UserRecord {
  if (typeof record.name !== 'string' || record.name === '' || record.name.length > 255)
    throw bad('a user name must be 1 to 255 characters')
  if (record.type === 'userDeleted') return { type: 'userDeleted', name: record.name }
  const mechanism = record.mechanism
  if (typeof mechanism !== 'string' || !isScramMechanism(mechanism))
    throw bad(`userCredentialSet.mechanism must be SCRAM-SHA-256 or SCRAM-SHA-512`)
  const credential = {
    iterations: record.iterations as number,
    salt: asBuffer(record.salt),
    storedKey: asBuffer(record.storedKey),
    serverKey: asBuffer(record.serverKey),
  }
  try {
    checkCredentialShape(mechanism, credential)
  } catch (error) {
    throw bad((error as Error).message)
  }
  if (credential.storedKey === undefined || credential.serverKey === undefined)
    throw bad('userCredentialSet needs storedKey and serverKey')
  return {
    type: 'userCredentialSet',
    name: record.name,
    mechanism,
    iterations: credential.iterations,
    salt: credential.salt!,
    storedKey: credential.storedKey,
    serverKey: credential.serverKey,
  }
}

/** Users by name, each with a credential per mechanism. Pure; applied in log order. */
export class UserDirectory {
  private readonly users = new Map<string, Map<ScramMechanism, ScramCredential>>()

  credential(name: string, mechanism: ScramMechanism): ScramCredential | undefined {
    return this.users.get(name)?.get(mechanism)
  }

  has(name: string): boolean {
    return this.users.has(name)
  }

  /** Names with their mechanisms, sorted by name; never a credential. */
  list(): { name: string; mechanisms: ScramMechanism[] }[] {
    return [...this.users.entries()]
      .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0))
      .map(([name, credentials]) => ({ name, mechanisms: [...credentials.keys()].sort() }))
  }

  apply(record: UserRecord): void {
    if (record.type === 'userDeleted') {
      this.users.delete(record.name)
      return
    }
    const { salt, iterations, storedKey, serverKey } = record
    let credentials = this.users.get(record.name)
    if (credentials === undefined) {
      credentials = new Map()
      this.users.set(record.name, credentials)
    }
    credentials.set(record.mechanism, { salt, iterations, storedKey, serverKey })
  }
}

/** INVALID_REQUEST for the log path, as checkMetadataRecord throws. */
export function badUserRecord(why: string): WeirError {
  return new WeirError('INVALID_REQUEST', `metadata record: ${why}`)
}
