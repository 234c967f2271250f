// kcat (librdkafka, C) against the Kafka listener: a Kafka client whose own cost per message is
// small, beside KafkaJS's, so the table tells the listener's share from the JavaScript client's.
// Produce: `kcat -P` reading "key:value" lines from a pipe (librdkafka's defaults: acks all,
// linger 5 ms, batches up to 10,000 messages or 1 MB, not idempotent); consume: `kcat -C -o
// beginning -c N -e` (no group: Metadata, ListOffsets, Fetch), printing only offsets and value sizes.
// Produce is timed from spawning kcat to its exit (it exits once every message is acknowledged), so
// its start-up is inside the rate (milliseconds); consume from its first output to its last, the
// time to the first beside it, as the other consume rows.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { benchKey } from '../e2e/produce.js'
import type { Progress } from '../measurement.js'
import { findExecutable, firstOutputLine, trackChild } from '../servers/child-processes.js'
import { type ClientRun, clientRun } from './client-run.js'

/** The kcat executable and its version banner, or why there is none. */
export type KcatAvailability =
  | { readonly available: true; readonly executable: string; readonly version: string }
  | { readonly available: false; readonly reason: string }

export async function findKcat(): Promise<KcatAvailability> {
  const executable = await findExecutable('kcat')
  if (executable === undefined)
    return { available: false, reason: 'kcat is not installed (Debian/Ubuntu: apt-get install -y kcat)' }
  // `kcat -V` prints its banner; the line naming librdkafka is the one that identifies the build.
  const banner = await new Promise<string>((resolve) => {
    const child = spawn(executable, ['-V'], { stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.once('close', () => resolve(output))
    child.once('error', () => resolve(''))
  })
  const version = /Version ([^\s]+).*?(librdkafka [^\s]+)/.exec(banner)
  return {
    available: true,
    executable,
    version: version ? `kcat ${version[1]} (${version[2]})` : await firstOutputLine(executable, ['-V']),
  }
}

/** Lines "key-i:aaa…\n" for one full cycle of bench keys, written over and over. */
function keyedLines(valueBytes: number): { readonly lines: Buffer; readonly ends: readonly number[] } {
  const value = 'a'.repeat(valueBytes)
  const parts: string[] = []
  const ends: number[] = []
  let length = 0
  for (let index = 0; index < 10_007; index++) {
    const line = `${benchKey(index)}:${value}\n`
    parts.push(line)
    length += Buffer.byteLength(line)
    ends.push(length)
  }
  return { lines: Buffer.from(parts.join('')), ends }
}

async function runKcat(
  executable: string,
  args: readonly string[],
  onStdout: (chunk: Buffer) => void,
  feed?: (stdin: NodeJS.WritableStream) => Promise<void>,
): Promise<void> {
  const child = spawn(executable, args, { stdio: [feed ? 'pipe' : 'ignore', 'pipe', 'pipe'] })
  trackChild(child)
  let stderr = ''
  child.stdout!.on('data', onStdout)
  child.stderr!.on('data', (chunk: Buffer) => {
    // Bounded: only the tail matters for the error.
    stderr = (stderr + chunk.toString()).slice(-4000)
  })
  const exited = once(child, 'exit') as Promise<[number | null, string | null]>
  if (feed) {
    await feed(child.stdin!)
    child.stdin!.end()
  }
  const [code, signal] = await exited
  if (code !== 0) throw new Error(`kcat ${args.join(' ')} exited with ${code ?? signal}: ${stderr}`)
}

export async function kcatProduce(
  executable: string,
  address: string,
  topic: string,
  messages: number,
  valueBytes: number,
  progress: Progress,
): Promise<ClientRun> {
  const { lines, ends } = keyedLines(valueBytes)
  const started = performance.now()
  await runKcat(
    executable,
    ['-b', address, '-P', '-t', topic, '-K', ':', '-X', 'acks=all'],
    () => {},
    async (stdin) => {
      for (let sent = 0; sent < messages; ) {
        const count = Math.min(ends.length, messages - sent)
        const chunk = count === ends.length ? lines : lines.subarray(0, ends[count - 1])
        sent += count
        // Backpressure: wait for the pipe to drain before writing more.
        if (!stdin.write(chunk)) await once(stdin, 'drain')
        progress(sent, messages)
      }
    },
  )
  return clientRun(messages, valueBytes, (performance.now() - started) / 1000)
}

export async function kcatConsume(
  executable: string,
  address: string,
  topic: string,
  messages: number,
  valueBytes: number,
  progress: Progress,
): Promise<ClientRun> {
  const started = performance.now()
  let first = 0
  let last = 0
  let received = 0
  let lastLine = ''
  let wrongValue: string | undefined
  await runKcat(
    executable,
    [
      '-b',
      address,
      '-C',
      '-t',
      topic,
      '-o',
      'beginning',
      '-c',
      String(messages),
      '-e',
      '-q',
      '-f',
      '%o %S\n',
    ],
    (chunk) => {
      last = performance.now()
      if (first === 0) first = last
      const text = lastLine + chunk.toString()
      const lines = text.split('\n')
      lastLine = lines.pop()!
      for (const line of lines) {
        // "%o %S": the offset, then the value's size, which must be what was produced.
        const size = Number(line.slice(line.indexOf(' ') + 1))
        if (size !== valueBytes) wrongValue ??= line
      }
      received += lines.length
      if (received % 10_000 < lines.length) progress(received, messages)
    },
  )
  if (wrongValue !== undefined) throw new Error(`kcat read a value of the wrong size: "${wrongValue}"`)
  if (received !== messages) throw new Error(`kcat consumed ${received} of ${messages}`)
  return clientRun(messages, valueBytes, (last - first) / 1000, (first - started) / 1000)
}
