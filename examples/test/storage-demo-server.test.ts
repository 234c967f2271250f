// Proves the quick-start demo server produces and consumes through the storage engine over real HTTP.
import { mkdtempSync, rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { TopicStore } from '@weir/storage'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createDemoServer } from '../src/storage-demo-server.js'

test('create a topic, produce by key, read back; unknown topics are a 404 with a typed code', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'weir-demo-'))
  const store = await TopicStore.open(directory)
  const server = createDemoServer(store)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  try {
    assert.is((await fetch(`${base}/topics/clicks?partitions=2`, { method: 'POST' })).status, 201)
    const produced = (await (
      await fetch(`${base}/topics/clicks/records`, {
        method: 'POST',
        body: JSON.stringify([
          { key: 'a', value: { n: 1 } },
          { key: 'a', value: { n: 2 } },
        ]),
      })
    ).json()) as Array<{ partition: number; offset: number }>
    assert.is(produced[1]!.offset, produced[0]!.offset + 1)
    const read = (await (
      await fetch(`${base}/topics/clicks/partitions/${produced[0]!.partition}/records?offset=0`)
    ).json()) as { records: Array<{ key: string; value: { n: number } }> }
    assert.equal(
      read.records.map((record) => [record.key, record.value.n]),
      [
        ['a', 1],
        ['a', 2],
      ],
    )
    const missing = await fetch(`${base}/topics/nope/records`, { method: 'POST', body: '{"value":1}' })
    assert.is(missing.status, 404)
    assert.is(((await missing.json()) as { error: string }).error, 'UNKNOWN_TOPIC')
    assert.is((await fetch(`${base}/topics/clicks/records`, { method: 'POST', body: '{bad' })).status, 400)
  } finally {
    server.close()
    await store.close()
    rmSync(directory, { recursive: true, force: true })
  }
})

test.run()
