// Proves how the real `weir` binary finds its brokers and reports itself: --version/-V, short usage errors (one line + `see weir X --help`, exit 2), -b/--brokers (also before the command), WEIR_BROKERS and WEIR_BOOTSTRAP with flag > env > profile precedence, profiles from $XDG_CONFIG_HOME/weir/config.json (--profile, WEIR_PROFILE, defaultProfile) and a bad profile file refused naming the file and the key.
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { killChildren, startBrokerChild } from './cli-support.js'

const cliPath = fileURLToPath(new URL('../../node_modules/@weir/cli/dist/main.js', import.meta.url))
const cliPackage = fileURLToPath(new URL('../../node_modules/@weir/cli/package.json', import.meta.url))

let dataDir = ''
let configHome = ''
let bootstrap = ''

/** The binary with exactly this environment (plus PATH), so the test's own WEIR_* cannot leak in. */
function runWith(
  args: readonly string[],
  environment: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [cliPath, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '', HOME: configHome, XDG_CONFIG_HOME: configHome, ...environment },
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })))
}

async function writeConfig(value: unknown): Promise<string> {
  const path = join(configHome, 'weir', 'config.json')
  await mkdir(join(configHome, 'weir'), { recursive: true })
  await writeFile(path, typeof value === 'string' ? value : JSON.stringify(value))
  return path
}

test.before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'weir-cli-connection-'))
  configHome = await mkdtemp(join(tmpdir(), 'weir-cli-config-'))
  ;({ bootstrap } = await startBrokerChild(dataDir))
  const created = await runWith(['topics', 'create', 'orders', '--partitions', '1', '--bootstrap', bootstrap])
  assert.is(created.code, 0, created.stderr)
})

test.after(async () => {
  killChildren()
  await rm(dataDir, { recursive: true, force: true })
  await rm(configHome, { recursive: true, force: true })
})

test('--version and -V print the cli package version', async () => {
  const version = (JSON.parse(readFileSync(cliPackage, 'utf8')) as { version: string }).version
  for (const flag of ['--version', '-V']) {
    const result = await runWith([flag])
    assert.is(result.code, 0, result.stderr)
    assert.is(result.stdout, `weir ${version}\n`)
  }
})

test('usage errors are one line and a pointer to the help, exit 2', async () => {
  const missing = await runWith(['topics', 'create', 'x'])
  assert.is(missing.code, 2)
  assert.is(missing.stderr, 'weir topics: topics create needs --partitions N\nsee weir topics --help\n')
  const flag = await runWith(['groups', 'list', '--nope'])
  assert.is(flag.code, 2)
  assert.match(flag.stderr, /^weir groups: Unknown option '--nope'.*\nsee weir groups --help\n$/)
  const broker = await runWith(['broker', '--no-such-flag'])
  assert.is(broker.code, 2)
  assert.match(broker.stderr, /\nsee weir broker --help\n$/)
  assert.not.match(broker.stderr, /Usage:/)
  const command = await runWith(['brokr'])
  assert.is(command.code, 2)
  assert.is(command.stderr, 'weir: unknown command "brokr"\nsee weir --help\n')
})

test('-b/--brokers, before or after the command, WEIR_BROKERS and WEIR_BOOTSTRAP', async () => {
  for (const [args, environment] of [
    [['topics', 'list', '-b', bootstrap], {}],
    [['topics', 'list', '--brokers', `${bootstrap},127.0.0.1:1`], {}],
    [['-b', bootstrap, 'topics', 'list'], {}],
    [['--brokers', bootstrap, 'topics', 'list'], {}],
    [['topics', 'list'], { WEIR_BROKERS: bootstrap }],
    [['topics', 'list'], { WEIR_BOOTSTRAP: bootstrap }],
    // The flag wins over an environment that would be refused if it were read.
    [['topics', 'list', '-b', bootstrap], { WEIR_BROKERS: 'not-an-address' }],
    [['topics', 'list'], { WEIR_BROKERS: bootstrap, WEIR_BOOTSTRAP: 'not-an-address' }],
  ] as const) {
    const result = await runWith(args, environment)
    assert.is(result.code, 0, `${args.join(' ')} ${JSON.stringify(environment)}: ${result.stderr}`)
    assert.is(result.stdout, 'orders\n')
  }
  const bad = await runWith(['topics', 'list'], { WEIR_BROKERS: 'not-an-address' })
  assert.is(bad.code, 2)
  assert.match(bad.stderr, /WEIR_BROKERS must be HOST:PORT/)
})

test('profiles: --profile, WEIR_PROFILE and defaultProfile; flags and environment beat them', async () => {
  await writeConfig({
    defaultProfile: 'local',
    profiles: {
      local: { brokers: bootstrap },
      other: { brokers: [bootstrap] },
      broken: { brokers: 'nowhere' },
    },
  })
  for (const [args, environment] of [
    [['topics', 'list'], {}],
    [['topics', 'list', '--profile', 'other'], {}],
    [['--profile', 'other', 'topics', 'list'], {}],
    [['topics', 'list'], { WEIR_PROFILE: 'other' }],
    [['topics', 'list', '--profile', 'broken', '-b', bootstrap], {}],
    [['topics', 'list', '--profile', 'broken'], { WEIR_BROKERS: bootstrap }],
  ] as const) {
    const result = await runWith(args, environment)
    assert.is(result.code, 0, `${args.join(' ')} ${JSON.stringify(environment)}: ${result.stderr}`)
    assert.is(result.stdout, 'orders\n')
  }
  const broken = await runWith(['topics', 'list', '--profile', 'broken'])
  assert.is(broken.code, 2)
  assert.match(broken.stderr, /the profile's "brokers" must be HOST:PORT/)
  const missing = await runWith(['topics', 'list', '--profile', 'prod'])
  assert.is(missing.code, 2)
  assert.match(missing.stderr, /config\.json has no profile "prod" \(profiles: local, other, broken\)/)
})

test('a bad profile file is refused naming the file and the key', async () => {
  const path = await writeConfig({ profiles: { local: { brokers: bootstrap, tls: { cafile: 'ca.pem' } } } })
  const result = await runWith(['topics', 'list'])
  assert.is(result.code, 2)
  assert.ok(result.stderr.includes(`${path}: profiles.local.tls.cafile is not a known key`), result.stderr)
  await writeConfig('{ not json')
  const invalid = await runWith(['topics', 'list', '-b', bootstrap])
  assert.is(invalid.code, 2)
  assert.ok(invalid.stderr.includes(`${path}: not valid JSON`), invalid.stderr)
  await rm(join(configHome, 'weir'), { recursive: true, force: true })
})

test.run()
