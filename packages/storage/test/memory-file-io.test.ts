// Proves MemoryFileIo keeps only what a real disk would after a power loss: fsynced bytes, synced directory entries, and (seeded) a prefix of an un-fsynced append.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { MemoryFileIo } from '../src/index.js'
import { seededRandom } from './helpers.js'

const bytes = (text: string) => Buffer.from(text)

async function contents(io: MemoryFileIo, path: string): Promise<string | undefined> {
  return (await io.exists(path)) ? (await io.readFile(path)).toString() : undefined
}

/** A durable directory /d holding a durable, fsynced file /d/f with `text`. */
async function durableFile(io: MemoryFileIo, text: string): Promise<number> {
  await io.mkdir('/d')
  await io.syncDirectory('/')
  const fd = await io.open('/d/f', { create: true })
  await io.writev(fd, [bytes(text)], 0)
  await io.datasync(fd)
  await io.syncDirectory('/d')
  return fd
}

test('fsynced bytes survive a crash; bytes written after the last fsync do not', async () => {
  const io = new MemoryFileIo()
  const fd = await durableFile(io, 'durable')
  await io.writev(fd, [bytes('-pend'), bytes('ing')], 7)
  assert.is(await contents(io, '/d/f'), 'durable-pending')
  io.crash()
  assert.is(await contents(io, '/d/f'), 'durable')
})

test('a crash closes every fd: later calls on it are EBADF, and the next open sees the durable state', async () => {
  const io = new MemoryFileIo()
  const fd = await durableFile(io, 'abc')
  io.crash()
  try {
    await io.size(fd)
    assert.unreachable('size on a closed fd')
  } catch (error) {
    assert.is((error as NodeJS.ErrnoException).code, 'EBADF')
  }
  assert.equal(io.openPaths(), [])
  const reopened = await io.open('/d/f')
  assert.is(await io.size(reopened), 3)
})

test('a new file fsynced but whose directory was never synced is gone after a crash', async () => {
  const io = new MemoryFileIo()
  await durableFile(io, 'x')
  const fd = await io.open('/d/new', { create: true })
  await io.writev(fd, [bytes('data')], 0)
  await io.datasync(fd)
  io.crash()
  assert.is(await io.exists('/d/new'), false)
})

test('a synced entry with un-fsynced data comes back empty', async () => {
  const io = new MemoryFileIo()
  await durableFile(io, 'x')
  const fd = await io.open('/d/new', { create: true })
  await io.writev(fd, [bytes('data')], 0)
  await io.syncDirectory('/d')
  io.crash()
  assert.is(await contents(io, '/d/new'), '')
})

test('unlink and rm -rf are undone by a crash until the parent directory is synced', async () => {
  const io = new MemoryFileIo()
  await durableFile(io, 'keep')
  await io.unlink('/d/f')
  await io.rmdir('/d')
  assert.is(await io.exists('/d'), false)
  io.crash()
  assert.is(await contents(io, '/d/f'), 'keep')
  await io.unlink('/d/f')
  await io.syncDirectory('/d')
  io.crash()
  assert.is(await io.exists('/d/f'), false)
  await io.rmdir('/d')
  await io.syncDirectory('/')
  io.crash()
  assert.is(await io.exists('/d'), false)
})

test('mkdir -p makes each new directory durable only once its parent is synced', async () => {
  const io = new MemoryFileIo()
  await io.mkdir('/a/b/c')
  await io.syncDirectory('/a/b')
  await io.syncDirectory('/a')
  io.crash()
  assert.is(await io.exists('/a'), false, 'the root was never synced')
  await io.mkdir('/a/b/c')
  await io.syncDirectory('/')
  await io.syncDirectory('/a')
  io.crash()
  assert.is(await io.exists('/a/b'), true)
  assert.is(await io.exists('/a/b/c'), false, '/a/b was never synced')
})

test('writeFileAtomic is durable at once, replaces the old contents, and syncs the directory', async () => {
  const io = new MemoryFileIo()
  await durableFile(io, 'x')
  const fd = await io.open('/d/other', { create: true })
  await io.close(fd)
  await io.writeFileAtomic('/d/meta.json', bytes('{"v":1}'))
  await io.writeFileAtomic('/d/meta.json', bytes('{"v":2}'))
  io.crash()
  assert.is(await contents(io, '/d/meta.json'), '{"v":2}')
  assert.is(await io.exists('/d/other'), true, 'the directory sync made every pending entry durable')
  assert.equal(await io.readdir('/d'), ['f', 'meta.json', 'other'])
})

test('with a random, a crash keeps a random prefix of an un-fsynced append (a torn tail), the same for the same seed', async () => {
  const kept = new Set<string>()
  for (let seed = 0; seed < 40; seed++) {
    const runs: string[] = []
    for (let replay = 0; replay < 2; replay++) {
      const io = new MemoryFileIo()
      const fd = await durableFile(io, 'base:')
      await io.writev(fd, [bytes('0123456789')], 5)
      io.crash(seededRandom(seed))
      const after = (await contents(io, '/d/f'))!
      assert.ok('base:0123456789'.startsWith(after) && after.startsWith('base:'), after)
      runs.push(after)
    }
    assert.is(runs[0], runs[1])
    kept.add(runs[0]!)
  }
  assert.ok(kept.size > 5, `only ${kept.size} distinct tails over 40 seeds`)
})

test('an un-fsynced overwrite or shrink inside the durable bytes is lost whole', async () => {
  const io = new MemoryFileIo()
  const fd = await durableFile(io, 'abcdef')
  await io.writev(fd, [bytes('XY')], 2)
  await io.truncate(fd, 4)
  await io.writev(fd, [bytes('tail')], 4)
  assert.is(await contents(io, '/d/f'), 'abXYtail')
  io.crash(() => 0.999)
  assert.is(await contents(io, '/d/f'), 'abcdef')
})

test('a truncate followed by datasync is durable', async () => {
  const io = new MemoryFileIo()
  const fd = await durableFile(io, 'abcdef')
  await io.truncate(fd, 3)
  await io.datasync(fd)
  io.crash(() => 0.999)
  assert.is(await contents(io, '/d/f'), 'abc')
})

test('failNext fails one call with the errno given, unapplied (writev may land a prefix first)', async () => {
  const io = new MemoryFileIo()
  const fd = await durableFile(io, 'ab')
  io.failNext('writev', 'ENOSPC', { writtenBytes: 2 })
  try {
    await io.writev(fd, [bytes('cdef')], 2)
    assert.unreachable('writev should fail')
  } catch (error) {
    assert.is((error as NodeJS.ErrnoException).code, 'ENOSPC')
  }
  assert.is(await contents(io, '/d/f'), 'abcd')
  await io.writev(fd, [bytes('cdef')], 2)
  assert.is(await contents(io, '/d/f'), 'abcdef')
  io.failNext('datasync', new Error('EIO from the test'), { path: '/d/other' })
  await io.datasync(fd)
})

test('a fault hook fails every matching call until removed', async () => {
  const io = new MemoryFileIo()
  const fd = await durableFile(io, 'ab')
  io.injectFaults((operation, path) => (operation === 'datasync' && path === '/d/f' ? 'EIO' : undefined))
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await io.datasync(fd)
      assert.unreachable('datasync should fail')
    } catch (error) {
      assert.is((error as NodeJS.ErrnoException).code, 'EIO')
    }
  }
  io.injectFaults(undefined)
  await io.datasync(fd)
})

test('a handle from attach() stops working at the next crash; a new one sees the durable state', async () => {
  const disk = new MemoryFileIo()
  const first = disk.attach()
  await first.mkdir('/d')
  await first.syncDirectory('/')
  await first.writeFileAtomic('/d/f', bytes('kept'))
  disk.crash()
  try {
    await first.writeFileAtomic('/d/f', bytes('zombie'))
    assert.unreachable('a crashed process wrote to the disk')
  } catch (error) {
    assert.is((error as NodeJS.ErrnoException).code, 'EIO')
  }
  assert.is((await disk.attach().readFile('/d/f')).toString(), 'kept')
})

test('errors are shaped like node:fs errors', async () => {
  const io = new MemoryFileIo()
  for (const [call, code] of [
    [() => io.open('/missing/f', { create: true }), 'ENOENT'],
    [() => io.open('/nothing'), 'ENOENT'],
    [() => io.readFile('/'), 'EISDIR'],
    [() => io.readdir('/nothing'), 'ENOENT'],
    [() => io.unlink('/nothing'), 'ENOENT'],
  ] as const) {
    try {
      await call()
      assert.unreachable(`expected ${code}`)
    } catch (error) {
      assert.is((error as NodeJS.ErrnoException).code, code)
    }
  }
  await io.rmdir('/nothing')
})

test('every operation settles without a timer or I/O turn of the event loop', async () => {
  let turned = false
  setImmediate(() => {
    turned = true
  })
  const io = new MemoryFileIo()
  const fd = await durableFile(io, 'x'.repeat(10_000))
  await io.read(fd, 0, 100)
  await io.readdir('/d')
  await io.close(fd)
  assert.is(turned, false)
})

test.run()
