// Produces orders keyed by customer: all orders of one customer land in one partition, in order.
// Run `pnpm start` in one terminal, then `pnpm --filter @weir/examples produce-orders`.
import { Client, isWeirError } from '@weir/client'
import { bootstrap, isMain, type Order, orders } from './orders.js'

const customers = ['alice', 'bob', 'carol', 'dave', 'erin']

export async function produceOrders(
  client: Client,
  count: number,
  log: (line: string) => void = console.log,
) {
  try {
    await client.admin().createTopic({ topic: orders.name, partitions: 6, replicationFactor: 1 })
    log(`created topic ${orders.name} with 6 partitions`)
  } catch (error) {
    if (!isWeirError(error, 'TOPIC_ALREADY_EXISTS')) throw error
  }
  const producer = client.producer({ acks: 'all', lingerMs: 2 })
  try {
    const sent = await Promise.all(
      Array.from({ length: count }, (_, index) => {
        const order: Order = {
          orderId: index,
          customer: customers[index % customers.length]!,
          total: 10 + (index % 7) * 5,
        }
        return producer.send({
          topic: orders,
          key: order.customer,
          value: order,
          headers: { source: 'example' },
        })
      }),
    )
    for (const { partition, offset } of sent.slice(0, 5))
      log(`order stored in partition ${partition} at offset ${offset}`)
    log(`sent ${sent.length} orders`)
    return sent
  } finally {
    await producer.close()
  }
}

// No top-level await: test runners load this file as CommonJS.
async function main(): Promise<void> {
  const client = new Client({ brokers: [bootstrap], clientId: 'produce-orders' })
  try {
    await produceOrders(client, Number(process.argv[2] ?? 20))
  } finally {
    await client.close()
  }
}

if (isMain(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error)
    process.exitCode = 1
  })
}
