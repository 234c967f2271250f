// Reads every order from the beginning and prints it; Ctrl-C stops it. Orders of one customer come
// out in the order they were sent, because they share a key and so a partition.
// Run `pnpm --filter @weir/examples consume-orders` (after produce-orders).
import { Client, type Message } from '@weir/client'
import { bootstrap, isMain, type Order, orders } from './orders.js'

export async function consumeOrders(
  client: Client,
  options: { max?: number; log?: (line: string) => void } = {},
): Promise<Message<Order>[]> {
  const log = options.log ?? console.log
  const consumer = client.consumer({ topics: [orders], fromBeginning: true })
  const stop = () => void consumer.close()
  process.once('SIGINT', stop)
  const seen: Message<Order>[] = []
  try {
    for await (const message of consumer) {
      const order = message.value
      log(
        `${order.customer} ordered #${order.orderId} for ${order.total} (partition ${message.partition}, offset ${message.offset})`,
      )
      seen.push(message)
      if (seen.length === options.max) break
    }
  } finally {
    process.off('SIGINT', stop)
    await consumer.close()
  }
  return seen
}

// No top-level await: test runners load this file as CommonJS.
async function main(): Promise<void> {
  const client = new Client({ brokers: [bootstrap], clientId: 'consume-orders' })
  try {
    const max = process.argv[2] === undefined ? undefined : Number(process.argv[2])
    await consumeOrders(client, max === undefined ? {} : { max })
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
