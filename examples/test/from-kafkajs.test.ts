// Proves the KafkaJS quick start port runs against a real broker: the admin creates the topic, the producer sends five messages, eachMessage sees them with a pause/resume after the second (nothing lost or repeated) and a seek back to the start after the fourth (replayed once).
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Broker } from '@weir/broker'
import { Client } from '@weir/client'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { quickStart } from '../from-kafkajs/quick-start.js'

test('the ported KafkaJS quick start', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'weir-from-kafkajs-'))
  const broker = await Broker.start({ dataDir, listen: '127.0.0.1:0', logLevel: 'silent' })
  const client = new Client({
    brokers: [`${broker.address.host}:${broker.address.port}`],
    clientId: 'my-app',
  })
  try {
    const lines: string[] = []
    const seen = await quickStart(client, (line) => lines.push(line))
    const values = ['Hello KafkaJS user!', 'second', 'third', 'fourth', 'fifth']
    assert.equal(seen, [...values.slice(0, 4), ...values])
    assert.is(lines[0], '0/0: Hello KafkaJS user!')
  } finally {
    await client.close()
    await broker.close()
    await rm(dataDir, { recursive: true, force: true })
  }
})

test.run()
