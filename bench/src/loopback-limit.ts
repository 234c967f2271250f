// The machine's loopback TCP bandwidth with plain node:net sockets and nothing else in the way:
// the ceiling for any broker's throughput through TCP on this machine. The receiver runs in its
// own Node process, as a broker does, and only counts bytes.
import { spawn } from 'node:child_process'
import { connect } from 'node:net'
import { createInterface } from 'node:readline'
import { megabyteBytes, type Progress, secondsSince } from './measurement.js'
import { stopChild, trackChild } from './servers/child-processes.js'

export interface LoopbackSpec {
  readonly totalBytes: number
  readonly blockBytes: number
}

export interface LoopbackMeasurement {
  readonly bytes: number
  readonly seconds: number
  readonly megabytesPerSecond: number
}

// Plain JavaScript for `node -e`: listen on a free port, say which, count bytes, say when all came.
const receiverSource = `
const net = require('node:net')
const total = Number(process.argv[1])
let received = 0
const server = net.createServer((socket) => {
  socket.on('data', (chunk) => {
    received += chunk.length
    if (received >= total) { process.stdout.write('received ' + received + '\\n'); socket.end(); server.close() }
  })
})
server.listen(0, '127.0.0.1', () => process.stdout.write('port ' + server.address().port + '\\n'))
`

export async function measureLoopback(spec: LoopbackSpec, progress?: Progress): Promise<LoopbackMeasurement> {
  const child = spawn(process.execPath, ['-e', receiverSource, String(spec.totalBytes)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  trackChild(child)
  try {
    const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]()
    const port = Number(/^port (\d+)$/.exec(String((await lines.next()).value))?.[1])
    if (!Number.isInteger(port)) throw new Error('the loopback receiver did not report its port')
    const block = Buffer.alloc(spec.blockBytes, 0x61)
    const socket = connect({ host: '127.0.0.1', port, noDelay: true })
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject))
    const started = performance.now()
    const received = lines.next()
    for (let sent = 0; sent < spec.totalBytes; ) {
      const length = Math.min(spec.blockBytes, spec.totalBytes - sent)
      const more = socket.write(length === block.length ? block : block.subarray(0, length))
      sent += length
      progress?.(sent, spec.totalBytes)
      if (!more) await new Promise((resolve) => socket.once('drain', resolve))
    }
    const line = String((await received).value)
    const seconds = secondsSince(started)
    socket.destroy()
    const bytes = Number(/^received (\d+)$/.exec(line)?.[1])
    if (bytes !== spec.totalBytes) throw new Error(`the loopback receiver said "${line}"`)
    return { bytes, seconds, megabytesPerSecond: bytes / megabyteBytes / seconds }
  } finally {
    await stopChild(child)
  }
}
