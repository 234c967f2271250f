// Storage demo: opens ./storage-demo-data, writes a few records by key, then serves the storage
// engine over HTTP on 127.0.0.1:7180 (WEIR_PORT, WEIR_DATA_DIR to change) until Ctrl-C. Run with
// `pnpm --filter @weir/examples storage-demo`. Its own directory and port, not the broker's ./data
// and 7171: a demo run beside `pnpm start` must neither take the broker's port nor open its data
// (the data directory lock would refuse it, but it should not have to).
import { join } from 'node:path'
import { TopicStore } from '@weir/storage'
import { createDemoServer } from './storage-demo-server.js'

const dataDirectory =
  process.env.WEIR_DATA_DIR ?? join(process.env.INIT_CWD ?? process.cwd(), 'storage-demo-data')
const port = Number(process.env.WEIR_PORT ?? 7180)

console.log(`opening ${dataDirectory} (recovering any unclean shutdown)...`)
const store = await TopicStore.open(dataDirectory)
if (!store.topicNames().includes('demo')) {
  await store.createTopic('demo', 3)
  console.log('created topic demo with 3 partitions')
}
const placed = await store.topic('demo').produce(
  ['alice', 'bob', 'carol', 'alice'].map((user, index) => ({
    key: Buffer.from(user),
    value: Buffer.from(JSON.stringify({ user, visit: index })),
  })),
  Date.now(),
)
for (const [index, place] of placed.entries()) {
  console.log(`appended record ${index} to demo/${place.partition} at offset ${place.offset}`)
}

const server = createDemoServer(store)
server.on('error', (error: NodeJS.ErrnoException) => {
  console.error(
    `cannot listen on 127.0.0.1:${port}: ${error.code}. Stop whatever uses the port or set WEIR_PORT.`,
  )
  process.exit(1)
})
server.listen(port, '127.0.0.1', () => {
  console.log(`storage demo listening on http://127.0.0.1:${port}`)
  console.log(`  curl http://127.0.0.1:${port}/`)
  console.log(
    `  curl -X POST http://127.0.0.1:${port}/topics/demo/records -d '{"key":"alice","value":{"n":1}}'`,
  )
  console.log(`  curl 'http://127.0.0.1:${port}/topics/demo/partitions/0/records?offset=0'`)
  console.log('Ctrl-C to stop (closes the logs cleanly)')
})

let stopping = false
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return
    stopping = true
    console.log(`${signal}: closing logs...`)
    server.close()
    store.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('closing the logs failed:', error)
        process.exit(1)
      },
    )
  })
}
