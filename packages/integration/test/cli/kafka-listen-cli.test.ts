// Proves `weir broker --kafka-listen` with the real binary and a Kafka client no one here wrote
// (kcat, librdkafka): the broker logs the Kafka address it serves, `kcat -L` lists it as broker 1,
// keyed records `kcat -P` writes come back identical through `kcat -C -e` and through
// `weir consume`; bad --kafka-listen and --kafka-advertise values are usage errors naming the flag.
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { kcatAvailable, kcatPath } from '../kafka/kafka-support.js'
import { killChildren, run, spawnCli } from './cli-support.js'

const directories: string[] = []

test.after(async () => {
  killChildren()
  await Promise.all(directories.map((directory) => rm(directory, { recursive: true, force: true })))
})

/** `weir broker` with a Kafka listener on free ports; its client and Kafka addresses, from its log. */
async function brokerWithKafka(): Promise<{ bootstrap: string; kafka: string }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'weir-cli-kafka-'))
  directories.push(dataDir)
  const child = spawnCli([
    'broker',
    '--listen',
    '127.0.0.1:0',
    '--kafka-listen',
    '127.0.0.1:0',
    '--metrics-listen',
    'off',
    '--data-dir',
    dataDir,
  ])
  let output = ''
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8')
      const bootstrap = /listening on (127\.0\.0\.1:\d+)/.exec(output)?.[1]
      const kafka = /listening for Kafka clients on (127\.0\.0\.1:\d+)/.exec(output)?.[1]
      if (bootstrap !== undefined && kafka !== undefined) resolve({ bootstrap, kafka })
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.once('exit', (code) => reject(new Error(`broker exited with ${code}:\n${output}`)))
  })
}

/** Runs kcat (apt package kcat) to completion. */
function kcat(
  args: readonly string[],
  stdin = '',
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(kcatPath, args, { stdio: ['pipe', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
  child.stdin.end(stdin)
  return new Promise((resolve, reject) => {
    child.once('error', (error) =>
      reject(new Error(`kcat could not run (apt-get install kcat): ${error.message}`)),
    )
    child.once('exit', (code) => resolve({ code, stdout, stderr }))
  })
}

if (!kcatAvailable) console.log(`skipped: no kcat at ${kcatPath} (apt-get install kcat, or set WEIR_KCAT)`)
;(kcatAvailable ? test : test.skip)(
  'kcat lists, produces and consumes through --kafka-listen; weir consume reads the same records',
  async () => {
    const { bootstrap, kafka } = await brokerWithKafka()
    const created = await run(['topics', 'create', 'kc', '--partitions', '3', '--bootstrap', bootstrap])
    assert.is(created.code, 0, created.stderr)

    const listed = await kcat(['-b', kafka, '-L'])
    assert.is(listed.code, 0, listed.stderr)
    assert.match(listed.stdout, new RegExp(`broker 1 at ${kafka.replace('.', '\\.')} \\(controller\\)`))
    assert.match(listed.stdout, /topic "kc" with 3 partitions/)

    const lines = Array.from({ length: 300 }, (_, index) => `key-${index}:value-${index}`)
    const produced = await kcat(
      ['-b', kafka, '-P', '-t', 'kc', '-K:', '-X', 'acks=all'],
      `${lines.join('\n')}\n`,
    )
    assert.is(produced.code, 0, produced.stderr)

    const consumed = await kcat(['-b', kafka, '-C', '-t', 'kc', '-e', '-q', '-f', '%k:%s\\n'])
    assert.is(consumed.code, 0, consumed.stderr)
    assert.equal(consumed.stdout.trim().split('\n').sort(), [...lines].sort())

    const weir = await run(['consume', 'kc', '-o', 'start', '-e', '-f', '%k:%v\\n', '--bootstrap', bootstrap])
    assert.is(weir.code, 0, weir.stderr)
    assert.equal(weir.stdout.trim().split('\n').sort(), [...lines].sort())
  },
)

test('bad --kafka-listen and --kafka-advertise values are usage errors naming the flag', async () => {
  const dataDir = join(tmpdir(), 'weir-never-created')
  const listen = await run(['broker', '--kafka-listen', 'everywhere', '--data-dir', dataDir])
  assert.is(listen.code, 2)
  assert.match(listen.stderr, /--kafka-listen must be HOST:PORT .* or off/)
  const advertise = await run(['broker', '--kafka-advertise', 'host:0', '--data-dir', dataDir])
  assert.is(advertise.code, 2)
  assert.match(advertise.stderr, /--kafka-advertise must be HOST:PORT with a port from 1/)
  const alone = await run(['broker', '--kafka-advertise', 'kafka.example.com:9092', '--data-dir', dataDir])
  assert.is(alone.code, 2)
  assert.match(alone.stderr, /--kafka-advertise is the address of the Kafka listener: add --kafka-listen/)
})

test.run()
