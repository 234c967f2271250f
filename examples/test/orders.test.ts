// Proves the order examples work against a real broker: orders produced by customer key come back with each customer's orders in send order.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Broker } from '@weir/broker'
import { Client } from '@weir/client'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { consumeOrders } from '../src/consume-orders.js'
import { produceOrders } from '../src/produce-orders.js'

test('produce-orders then consume-orders', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'weir-examples-'))
  const broker = await Broker.start({ dataDir, listen: '127.0.0.1:0', logLevel: 'silent' })
  const client = new Client({
    brokers: [`${broker.address.host}:${broker.address.port}`],
    clientId: 'examples-test',
  })
  try {
    const quiet = () => {}
    const sent = await produceOrders(client, 50, quiet)
    assert.is(sent.length, 50)
    const seen = await consumeOrders(client, { max: 50, log: quiet })
    assert.is(seen.length, 50)
    const byCustomer = new Map<string, number[]>()
    for (const message of seen) {
      assert.is(message.key, message.value.customer)
      assert.is(message.headers.source, 'example')
      byCustomer.set(message.value.customer, [
        ...(byCustomer.get(message.value.customer) ?? []),
        message.value.orderId,
      ])
    }
    assert.is(byCustomer.size, 5)
    for (const ids of byCustomer.values())
      assert.equal(
        ids,
        [...ids].sort((a, b) => a - b),
      )
  } finally {
    await client.close()
    await broker.close()
    await rm(dataDir, { recursive: true, force: true })
  }
})

test.run()
