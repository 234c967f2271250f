// Users through the controller: a change is one record committed to the controller log, answered
// once this broker applied it too, so a login right after at the same broker sees the change.
import { randomBytes } from 'node:crypto'
import {
  type ScramCredential,
  type ScramMechanism,
  ScramMechanisms,
  scramCredential,
  scramIterationsMin,
  WeirError,
} from '@weir/protocol'
import type { Logger } from 'pino'
import type { Cluster } from '../cluster/cluster.js'

export interface UserCredentialChange extends ScramCredential {
  readonly name: string
  readonly mechanism: ScramMechanism
}

async function appliedHere(cluster: Cluster, check: () => boolean, timeoutMs: number, what: string) {
  if (!(await cluster.caughtUp(check, timeoutMs))) {
    throw new WeirError(
      'REQUEST_TIMED_OUT',
      `${what} is committed but broker ${cluster.selfId} has not applied it yet; it will shortly`,
    )
  }
}

export async function setUserCredential(
  cluster: Cluster,
  change: UserCredentialChange,
  timeoutMs: number,
): Promise<void> {
  const { name, mechanism, iterations, salt, storedKey, serverKey } = change
  await cluster.submit(
    { type: 'userCredentialSet', name, mechanism, iterations, salt, storedKey, serverKey },
    timeoutMs,
  )
  await appliedHere(
    cluster,
    () => cluster.image.users.credential(name, mechanism)?.storedKey.equals(storedKey) === true,
    timeoutMs,
    `the credential of ${name}`,
  )
}

/** Deletes every credential of `name`; resolves with whether this broker knew the user before. */
export async function deleteUser(cluster: Cluster, name: string, timeoutMs: number): Promise<boolean> {
  const existed = cluster.image.users.has(name)
  await cluster.submit({ type: 'userDeleted', name }, timeoutMs)
  await appliedHere(cluster, () => !cluster.image.users.has(name), timeoutMs, `deleting user ${name}`)
  return existed
}

export interface BootstrapUser {
  readonly name: string
  readonly password: string
}

/** Fresh credentials for every SCRAM mechanism (a random salt each; PLAIN checks against them). */
export function credentialsFor(user: BootstrapUser): UserCredentialChange[] {
  return (Object.keys(ScramMechanisms) as ScramMechanism[]).map((mechanism) => ({
    name: user.name,
    mechanism,
    ...scramCredential(mechanism, user.password, randomBytes(16), scramIterationsMin),
  }))
}

/**
 * Makes sure the bootstrap user exists, on whichever broker leads the controller (its image is
 * current then). An existing user is left alone, so a password changed with `weir users create`
 * is not reverted by the next restart. The password is never logged.
 */
export function ensureBootstrapUser(cluster: Cluster, user: BootstrapUser, logger: Logger): void {
  const credentials = credentialsFor(user)
  cluster.onControllerLeader(async () => {
    if (cluster.image.users.has(user.name)) return
    try {
      for (const credential of credentials) {
        const { name, mechanism, iterations, salt, storedKey, serverKey } = credential
        await cluster.proposeHere({
          type: 'userCredentialSet',
          name,
          mechanism,
          iterations,
          salt,
          storedKey,
          serverKey,
        })
      }
      logger.info({ user: user.name }, `created bootstrap user ${user.name}`)
    } catch (error) {
      logger.warn(
        { err: error, user: user.name },
        'could not create the bootstrap user yet; the next controller leader retries',
      )
    }
  })
}
