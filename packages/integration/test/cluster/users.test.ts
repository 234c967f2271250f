// Proves SCRAM users live in the controller log: in a 3-broker cluster started with --sasl-mechanisms and a bootstrap user, a user created through broker 1 logs in at broker 3, and deleting it there locks it out at broker 2, with no restart.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Client, isWeirError } from '@weir/client'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { startCluster, type TestCluster, waitFor } from './cluster-support.js'

let cluster: TestCluster
let directory: string

test.before(async () => {
  directory = mkdtempSync(join(tmpdir(), 'weir-users-'))
  const userFile = join(directory, 'admin-user')
  writeFileSync(userFile, 'admin:admin-secret\n')
  cluster = await startCluster(3, {
    saslMechanisms: 'scram-sha-256,scram-sha-512',
    bootstrapUserFile: userFile,
  })
})

test.after(async () => {
  await cluster?.close()
  rmSync(directory, { recursive: true, force: true })
})

function clientOf(index: number, username: string, password: string): Client {
  return new Client({
    brokers: [cluster.bootstrap[index]!],
    clientId: 'users-test',
    connectTimeoutMs: 5000,
    sasl: { mechanism: 'scram-sha-256', username, password },
  })
}

async function logsIn(index: number, username: string, password: string): Promise<boolean> {
  const client = clientOf(index, username, password)
  try {
    await client.admin().describeCluster()
    return true
  } catch (error) {
    if (isWeirError(error, 'SASL_AUTHENTICATION_FAILED')) return false
    throw error
  } finally {
    await client.close()
  }
}

test('a user created at broker 1 logs in at broker 3; deleted at broker 3, it is refused at broker 2', async () => {
  const admin = clientOf(0, 'admin', 'admin-secret')
  await waitFor('the bootstrap admin to create bob through broker 1', 30_000, async () => {
    await admin.admin().createUser({ username: 'bob', password: 'bob-pass', mechanism: 'scram-sha-256' })
    return true
  })
  await admin.close()
  assert.ok(
    await waitFor('bob to log in at broker 3', 10_000, async () =>
      (await logsIn(2, 'bob', 'bob-pass')) ? true : undefined,
    ),
  )
  assert.is(await logsIn(2, 'bob', 'wrong-pass'), false)

  const adminAt3 = clientOf(2, 'admin', 'admin-secret')
  assert.is(await adminAt3.admin().deleteUser('bob'), true)
  await adminAt3.close()
  await waitFor('bob to be refused at broker 2', 10_000, async () =>
    (await logsIn(1, 'bob', 'bob-pass')) ? undefined : true,
  )
})

test.run()
