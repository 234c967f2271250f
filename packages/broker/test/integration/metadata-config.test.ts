// Proves Metadata answers each topic's own config, asked again and again, for all topics and for one, and that a topic deleted and created again under the same name is answered with its new config.
import { DeleteTopics, Metadata } from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createTopic, removeTempDirectories, startBroker } from '../support/broker.js'
import { WireClient } from '../support/wire-client.js'

test.after(() => removeTempDirectories())

test('every topic of a Metadata answer carries its own config, request after request', async () => {
  const broker = await startBroker()
  const client = await WireClient.connect(broker.address.port)
  try {
    await createTopic(client, 'small-segments', 1, { segmentBytes: 4096 })
    await createTopic(client, 'short-retention', 2, { retentionMs: 60_000 })
    await createTopic(client, 'defaults', 1)
    for (let request = 0; request < 3; request++) {
      const all = await client.call(Metadata, { topics: null })
      const byName = new Map(all.topics.map((topic) => [topic.name, topic.config]))
      assert.is(byName.get('small-segments')?.segmentBytes, 4096)
      assert.is(byName.get('short-retention')?.retentionMs, 60_000)
      assert.is.not(byName.get('short-retention')?.segmentBytes, 4096)
      assert.is.not(byName.get('defaults')?.retentionMs, 60_000)
      const one = await client.call(Metadata, { topics: ['short-retention'] })
      assert.is(one.topics[0]?.config.retentionMs, 60_000)
    }
    const deleted = await client.call(DeleteTopics, { topics: ['small-segments'] })
    assert.is(deleted.topics[0]?.errorCode, 0)
    await createTopic(client, 'small-segments', 1, { segmentBytes: 8192 })
    const again = await client.call(Metadata, { topics: ['small-segments'] })
    assert.is(again.topics[0]?.config.segmentBytes, 8192)
  } finally {
    await client.close()
    await broker.close()
  }
})

test.run()
