// Proves one process per data directory: a live holder (a real child process) keeps the lock and is named by pid, a dead one's lock is taken over, and a TopicStore holds it for its life.
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { isWeirError } from '@weir/protocol'
import { withTimeout } from '@weir/protocol/testing'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  decodeLockHolder,
  isLockLive,
  lockFile,
  nodeProcessTable,
  type ProcessTable,
} from '../src/directory-lock.js'
import { lockFileName, MemoryFileIo, TopicStore } from '../src/index.js'
import { removeTempDirectories, tempDirectory } from './helpers.js'

const storageEntry = new URL('../dist/index.js', import.meta.url).href

/** A child process that opens a TopicStore on `directory` and holds it until killed. */
async function holdInChild(directory: string): Promise<ChildProcess> {
  const script = `import { TopicStore } from ${JSON.stringify(storageEntry)}
await TopicStore.open(${JSON.stringify(directory)})
process.stdout.write('held\\n')
setInterval(() => {}, 1000)`
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  await withTimeout(
    new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('held')) resolve()
      })
      child.on('exit', (code) => reject(new Error(`holder exited with ${code}`)))
    }),
    10_000,
    'the child to take the lock',
  )
  return child
}

async function rejectsLocked(work: Promise<unknown>, pattern: RegExp): Promise<void> {
  try {
    await work
  } catch (error) {
    assert.ok(
      isWeirError(error, 'DATA_DIRECTORY_LOCKED'),
      `expected DATA_DIRECTORY_LOCKED, got ${String(error)}`,
    )
    assert.match((error as Error).message, pattern)
    return
  }
  assert.unreachable('the second open was not refused')
}

test.after(() => removeTempDirectories())

test('a live process holds the data directory; once it is killed -9 the next open takes the stale lock over', async () => {
  const directory = tempDirectory()
  const child = await holdInChild(directory)
  try {
    const holder = decodeLockHolder(readFileSync(join(directory, lockFileName)))
    assert.is(holder?.pid, child.pid)
    await rejectsLocked(TopicStore.open(directory), new RegExp(`held by process ${child.pid}\\b`))
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGKILL')
    await exited
  }
  const store = await TopicStore.open(directory)
  assert.is(decodeLockHolder(readFileSync(join(directory, lockFileName)))?.pid, process.pid)
  await store.close()
  assert.not.ok(existsSync(join(directory, lockFileName)), 'close removes the lock')
  assert.equal(readdirSync(directory), ['weir-data.json'], 'no temporary lock files are left behind')
})

test('two stores in one process exclude each other; closing the first frees the directory', async () => {
  const directory = tempDirectory()
  const first = await TopicStore.open(directory)
  await rejectsLocked(TopicStore.open(directory), new RegExp(`held by process ${process.pid}\\b`))
  await first.close()
  const second = await TopicStore.open(directory)
  await second.close()
})

test('a lock naming this pid but not held here is stale (a container restarted with the same pid), and so is a torn one', async () => {
  const directory = tempDirectory()
  const path = join(directory, lockFileName)
  writeFileSync(path, JSON.stringify({ pid: process.pid, host: 'another-container', token: 'old' }))
  const taken = await lockFile(path)
  await taken.release()
  writeFileSync(path, '')
  const again = await lockFile(path)
  await again.release()
  assert.not.ok(existsSync(path))
})

test('a running pid holds the lock only while it is the same process (pid reuse after a restart does not)', async () => {
  const directory = tempDirectory()
  const path = join(directory, lockFileName)
  const parent = process.ppid
  const identity = nodeProcessTable.identity(parent)
  // Linux gives the identity; elsewhere only the pid is checked.
  if (identity !== undefined) {
    writeFileSync(
      path,
      JSON.stringify({ pid: parent, host: 'h', token: 'reused', identity: 'another-boot:1' }),
    )
    const taken = await lockFile(path)
    await taken.release()
  }
  writeFileSync(
    path,
    JSON.stringify({ pid: parent, host: 'h', token: 'same', ...(identity ? { identity } : {}) }),
  )
  await rejectsLocked(lockFile(path), new RegExp(`held by process ${parent} on host h;`))
})

test('release removes only its own lock', async () => {
  const directory = tempDirectory()
  const path = join(directory, lockFileName)
  const held = await lockFile(path)
  const replaced = JSON.stringify({ pid: 1, host: 'elsewhere', token: 'someone-else' })
  writeFileSync(path, replaced)
  await held.release()
  assert.is(readFileSync(path, 'utf8'), replaced)
})

test('liveness: this pid only when held here, another pid when running and (if both know it) the same process', () => {
  const processes: ProcessTable = {
    pid: 10,
    host: 'a',
    isRunning: (pid) => pid === 20 || pid === 21,
    identity: (pid) => (pid === 20 ? 'boot:500' : undefined),
  }
  const holder = (pid: number, identity?: string) => ({
    pid,
    host: 'b',
    token: 't',
    ...(identity ? { identity } : {}),
  })
  assert.ok(isLockLive(holder(10), processes, true))
  assert.not.ok(isLockLive(holder(10), processes, false))
  assert.ok(isLockLive(holder(20), processes, false))
  assert.ok(isLockLive(holder(20, 'boot:500'), processes, false))
  assert.not.ok(isLockLive(holder(20, 'boot:499'), processes, false), 'pid 20 is another process now')
  assert.ok(isLockLive(holder(21, 'boot:1'), processes, false), 'no identity to compare: the pid decides')
  assert.not.ok(isLockLive(holder(30), processes, false))
  assert.not.ok(isLockLive(undefined, processes, false))
  assert.is(decodeLockHolder(Buffer.from('{"pid":-1,"host":"a","token":"t"}')), undefined)
  assert.is(decodeLockHolder(Buffer.from('null')), undefined)
})

test('in memory (the simulation), a lock holds until released or until the disk crashes', async () => {
  const disk = new MemoryFileIo()
  const first = await TopicStore.open('/broker/data', { io: disk.attach() })
  await rejectsLocked(TopicStore.open('/broker/data', { io: disk.attach() }), /held by another process/)
  disk.crash()
  const afterCrash = await TopicStore.open('/broker/data', { io: disk.attach() })
  await first.close().catch(() => undefined)
  await rejectsLocked(TopicStore.open('/broker/data', { io: disk.attach() }), /held by another process/)
  await afterCrash.close()
  const reopened = await TopicStore.open('/broker/data', { io: disk.attach() })
  await reopened.close()
})

test.run()
