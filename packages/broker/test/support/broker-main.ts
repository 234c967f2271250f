// A broker in its own process for the crash tests (kill -9), run by child-broker.ts with tsx:
// `broker-main.ts LISTEN DATA_DIR`. The broker package has no binary (the `weir` command is
// @weir/cli, which depends on this package, not the other way round), so its tests start a child
// from this file instead. SIGTERM or SIGINT closes the broker cleanly and exits 0.
import { Broker } from '../../src/index.js'

const [listen, dataDir] = process.argv.slice(2)
if (listen === undefined || dataDir === undefined) {
  process.stderr.write('usage: broker-main.ts LISTEN DATA_DIR\n')
  process.exit(2)
}
const broker = await Broker.start({ listen, dataDir, logLevel: 'info' })
const stop = () => {
  broker.close().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`close failed: ${(error as Error).message}\n`)
      process.exit(1)
    },
  )
}
process.once('SIGTERM', stop)
process.once('SIGINT', stop)
