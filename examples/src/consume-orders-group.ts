// Reads orders as a member of consumer group `order-printers`: start it in several terminals and
// the group shares the partitions among them; stop one (Ctrl-C) and the others take its partitions
// within a second. Committed offsets mean a restart continues where the group left off.
// Run `pnpm --filter @weir/examples consume-orders-group` (after produce-orders).
import { Client } from '@weir/client'
import { bootstrap, isMain, orders } from './orders.js'

async function main(): Promise<void> {
  const client = new Client({ brokers: [bootstrap], clientId: 'consume-orders-group' })
  const consumer = client.consumer({
    groupId: 'order-printers',
    topics: [orders],
    autoOffsetReset: 'earliest',
  })
  consumer.on('rebalance', (event) =>
    console.log(`${event.type}: ${event.partitions.map((entry) => entry.partition).join(', ') || 'none'}`),
  )
  process.once('SIGINT', () => void client.close()) // commits what finished and leaves the group
  // Up to 4 orders at once; one customer's orders (one key) still one after another, in order.
  await consumer.run({
    concurrency: 4,
    eachMessage: async ({ message }) => {
      const order = message.value
      console.log(
        `${order.customer} ordered #${order.orderId} for ${order.total} (partition ${message.partition})`,
      )
    },
  })
}

if (isMain(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error)
    process.exitCode = 1
  })
}
