// SCRAM user administration. The password never leaves this process: it is salted and hashed here
// (RFC 5802) and only the credential (salt, iterations, StoredKey, ServerKey) is sent, so neither
// the wire nor the controller log ever holds it.
import { randomBytes } from 'node:crypto'
import {
  DeleteUser,
  ListUsers,
  type ScramMechanism,
  ScramMechanisms,
  SetUserCredential,
  scramCredential,
  scramIterationsMin,
  WeirError,
} from '@weir/protocol'
import type { Cluster } from './cluster.js'

export interface CreateUserOptions {
  readonly username: string
  readonly password: string
  /** 'scram-sha-256' or 'scram-sha-512'; default both (PLAIN checks against either). */
  readonly mechanism?: 'scram-sha-256' | 'scram-sha-512'
  /** PBKDF2 iterations, 4096 (the default) to 1,000,000. */
  readonly iterations?: number
}

export interface UserDescription {
  readonly username: string
  /** 'scram-sha-256', 'scram-sha-512'. */
  readonly mechanisms: readonly string[]
}

function mechanismsOf(options: CreateUserOptions): ScramMechanism[] {
  if (options.mechanism === undefined) return Object.keys(ScramMechanisms) as ScramMechanism[]
  const wire = options.mechanism.toUpperCase()
  if (!(wire in ScramMechanisms))
    throw new WeirError(
      'INVALID_CONFIG',
      `createUser mechanism must be 'scram-sha-256' or 'scram-sha-512', got ${JSON.stringify(options.mechanism)}`,
    )
  return [wire as ScramMechanism]
}

/** Creates the user, or replaces its password: one credential per mechanism, each with a fresh salt. */
export async function createUser(cluster: Cluster, options: CreateUserOptions): Promise<void> {
  if (typeof options.username !== 'string' || options.username === '')
    throw new WeirError('INVALID_CONFIG', 'createUser needs a username')
  if (typeof options.password !== 'string' || options.password === '')
    throw new WeirError('INVALID_CONFIG', 'createUser needs a non-empty password')
  const iterations = options.iterations ?? scramIterationsMin
  for (const mechanism of mechanismsOf(options)) {
    const credential = scramCredential(mechanism, options.password, randomBytes(16), iterations)
    await cluster.request(SetUserCredential, { name: options.username, mechanism, ...credential })
  }
}

/** Resolves with false when there was no such user (nothing to delete). */
export async function deleteUser(cluster: Cluster, username: string): Promise<boolean> {
  return (await cluster.request(DeleteUser, { name: username })).deleted
}

export async function listUsers(cluster: Cluster): Promise<UserDescription[]> {
  const response = await cluster.request(ListUsers, {})
  return response.users.map((user) => ({
    username: user.name,
    mechanisms: user.mechanisms.map((mechanism) => mechanism.toLowerCase()),
  }))
}
