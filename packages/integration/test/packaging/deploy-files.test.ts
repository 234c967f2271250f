// Proves the deploy files in docs/deploy hold together without Docker: every path the Dockerfile copies exists and is not dockerignored, the runtime stage is non-root with a /data volume, the production tree its build stage makes (pnpm deploy --prod) starts a broker that advertises --advertised-host, the entry point builds the broker command from WEIR_ADVERTISED_HOST, and systemd-analyze accepts the unit.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import {
  accessSync,
  constants,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { withTimeout } from '@weir/protocol/testing'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { killChildren, run } from '../cli/cli-support.js'
import { repositoryRoot, runToEnd } from './packaging-support.js'

const deployDirectory = join(repositoryRoot, 'docs', 'deploy')
const workspaceCli = join(repositoryRoot, 'packages', 'cli', 'dist', 'main.js')
/** The deployed tree with pino-pretty removed, once the deploy test made it. */
let deployedWithoutPretty: string | undefined
const temporary: string[] = []
const children = new Set<ChildProcess>()

type Instruction = { keyword: string; args: string; line: number }
type Stage = { name: string | undefined; image: string; instructions: Instruction[] }

/** The Dockerfile's instructions by stage: continuation lines joined, comments and blanks dropped. */
function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = []
  let pending = ''
  let startLine = 0
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim()
    if (pending === '' && (line === '' || line.startsWith('#'))) return
    if (pending === '') startLine = index + 1
    pending += `${line.replace(/\\$/, '')} `
    if (line.endsWith('\\')) return
    const [keyword = '', ...rest] = pending.trim().split(/\s+/)
    const instruction = { keyword: keyword.toUpperCase(), args: rest.join(' '), line: startLine }
    pending = ''
    if (instruction.keyword === 'FROM') {
      const [image = '', as, name] = rest
      stages.push({ image, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] })
    } else {
      assert.ok(stages.length > 0, `Dockerfile line ${startLine}: ${keyword} before any FROM`)
      stages.at(-1)!.instructions.push(instruction)
    }
  })
  return stages
}

/** COPY's sources and destination, with its --from (flags like --chown dropped). */
function copyParts(args: string): { from: string | undefined; sources: string[]; destination: string } {
  const words = args.split(/\s+/)
  const from = words.find((word) => word.startsWith('--from='))?.slice('--from='.length)
  const paths = words.filter((word) => !word.startsWith('--'))
  return { from, sources: paths.slice(0, -1), destination: paths.at(-1)! }
}

/** Whether a .dockerignore pattern list (the forms ours uses: `**\/name` and root paths) excludes `path`. */
function dockerignored(path: string, patterns: readonly string[]): boolean {
  const segments = path.replace(/^\.\//, '').split('/')
  return patterns.some((pattern) => {
    if (pattern.startsWith('**/')) return segments.includes(pattern.slice(3))
    return path === pattern || path.startsWith(`${pattern}/`)
  })
}

function readDockerignore(): string[] {
  return readFileSync(join(repositoryRoot, '.dockerignore'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
}

const stages = parseDockerfile(readFileSync(join(deployDirectory, 'Dockerfile'), 'utf8'))
const runtime = stages.at(-1)!
const of = (stage: Stage, keyword: string) => stage.instructions.filter((entry) => entry.keyword === keyword)

test('every COPY from the build context names a path that exists and is not dockerignored', () => {
  const ignored = readDockerignore()
  const copies = stages
    .flatMap((stage) => of(stage, 'COPY'))
    .map((entry) => ({ ...entry, ...copyParts(entry.args) }))
  const fromContext = copies.filter((copy) => copy.from === undefined)
  assert.ok(fromContext.length >= 3, 'the lockfile, the workspace and the entry point')
  for (const copy of fromContext) {
    for (const source of copy.sources) {
      assert.ok(
        existsSync(join(repositoryRoot, source)),
        `Dockerfile line ${copy.line}: ${source} does not exist`,
      )
      if (source !== '.') assert.not.ok(dockerignored(source, ignored), `${source} is in .dockerignore`)
    }
  }
  // The build installs from the lockfile and the workspace manifests: none may be ignored.
  for (const needed of [
    'pnpm-lock.yaml',
    'pnpm-workspace.yaml',
    'package.json',
    'packages/cli/package.json',
  ]) {
    assert.not.ok(dockerignored(needed, ignored), `${needed} is needed by pnpm install but dockerignored`)
  }
  for (const local of ['node_modules', 'packages/cli/dist', 'data', '.git']) {
    assert.ok(dockerignored(local, ignored), `${local} (local state) should stay out of the build context`)
  }
})

test('the runtime stage copies what the build stage deployed, on Node 20, as a non-root user with a /data volume', () => {
  assert.ok(stages.length >= 2, 'multi-stage: a build stage and a runtime stage')
  for (const stage of stages)
    assert.match(stage.image, /^node:20[-.]/, 'the image runs the Node our engines promise')
  const [fromBuild] = of(runtime, 'COPY')
    .map((entry) => copyParts(entry.args))
    .filter((copy) => copy.from !== undefined)
  assert.ok(fromBuild !== undefined, 'the runtime stage takes the deployed tree from the build stage')
  const buildStage = stages.find((stage) => stage.name === fromBuild.from)
  assert.ok(buildStage !== undefined, `no stage named ${fromBuild.from}`)
  const deploy = of(buildStage, 'RUN').find((entry) => entry.args.includes(' deploy '))
  assert.ok(
    deploy?.args.includes(`--prod ${fromBuild.sources[0]}`),
    'the build stage deploys production dependencies to what is copied',
  )
  const users = of(runtime, 'USER').map((entry) => entry.args)
  assert.ok(users.length > 0, 'the runtime stage sets a USER')
  assert.not.ok(['root', '0', '0:0'].includes(users.at(-1)!), `runs as ${users.at(-1)}`)
  const lastUser = runtime.instructions.lastIndexOf(of(runtime, 'USER').at(-1)!)
  const lastRun = runtime.instructions.lastIndexOf(of(runtime, 'RUN').at(-1)!)
  assert.ok(lastUser > lastRun, 'USER comes after the last RUN, so the broker itself is not root')
  assert.match(
    of(runtime, 'VOLUME')
      .map((entry) => entry.args)
      .join(' '),
    '"/data"',
  )
  const exposed = of(runtime, 'EXPOSE').flatMap((entry) => entry.args.split(/\s+/))
  for (const port of ['7171', '9171', '9172']) assert.ok(exposed.includes(port), `EXPOSE ${port}`)
  const entrypoint = of(runtime, 'ENTRYPOINT').at(-1)?.args
  assert.is(entrypoint, '["docker-entrypoint.sh"]')
  const copiedEntrypoint = of(runtime, 'COPY').map((entry) => copyParts(entry.args))
  assert.ok(
    copiedEntrypoint.some(
      (copy) =>
        copy.sources.includes('docs/deploy/docker-entrypoint.sh') &&
        copy.destination.startsWith('/usr/local/bin/'),
    ),
    'the entry point is copied onto the PATH',
  )
  accessSync(join(deployDirectory, 'docker-entrypoint.sh'), constants.X_OK)
  // The entry point execs `weir`: a link on the PATH to the deployed main.js, made executable.
  const linking = of(runtime, 'RUN').find((entry) => /ln -s (\S+) \/usr\/local\/bin\/weir/.test(entry.args))
  const linked = linking?.args.match(/ln -s (\S+) \/usr\/local\/bin\/weir/)?.[1]
  assert.ok(linked !== undefined, 'the runtime stage puts weir on the PATH')
  assert.match(linking!.args, `chmod 0755 ${linked}`, 'tsc writes main.js without the execute bit')
  assert.ok(linked.startsWith(`${fromBuild.destination}/`), `${linked} is inside the deployed tree`)
})

test('the entry point runs weir broker on /data, all interfaces, with WEIR_ADVERTISED_HOST and the run arguments', () => {
  // A stand-in `weir` on the PATH prints what it was given, one argument per line.
  const bin = mkdtempSync(join(tmpdir(), 'weir-entrypoint-'))
  temporary.push(bin)
  writeFileSync(join(bin, 'weir'), '#!/bin/sh\nprintf "%s\\n" "$@"\n', { mode: 0o755 })
  const entrypoint = join(deployDirectory, 'docker-entrypoint.sh')
  const env = { PATH: `${bin}:/usr/bin:/bin` }
  const plain = execFileSync('sh', [entrypoint], { env, encoding: 'utf8' }).trim().split('\n')
  assert.equal(plain, ['broker', '--data-dir', '/data', '--listen', '0.0.0.0:7171'])
  const advertised = execFileSync('sh', [entrypoint, '--id', '2', '--log-level', 'warn'], {
    env: { ...env, WEIR_ADVERTISED_HOST: 'broker2.example.com' },
    encoding: 'utf8',
  })
  assert.equal(advertised.trim().split('\n'), [
    'broker',
    '--data-dir',
    '/data',
    '--listen',
    '0.0.0.0:7171',
    '--advertised-host',
    'broker2.example.com',
    '--id',
    '2',
    '--log-level',
    'warn',
  ])
})

test('the production tree the build stage makes (pnpm deploy --prod) has no dev tooling and, without the optional pino-pretty, starts a broker that advertises --advertised-host', async () => {
  const out = mkdtempSync(join(tmpdir(), 'weir-deploy-'))
  temporary.push(out)
  rmSync(out, { recursive: true })
  const deployed = await runToEnd('pnpm', ['--filter', '@weir/cli', 'deploy', '--prod', out], {
    cwd: repositoryRoot,
    timeoutMs: 300_000,
  })
  assert.is(deployed.code, 0, deployed.stderr + deployed.stdout)
  const installed = readdirSync(join(out, 'node_modules', '.pnpm'))
  for (const tool of ['typescript@', 'tsx@', 'uvu@', 'turbo@', 'fast-check@', '@biomejs']) {
    assert.not.ok(
      installed.some((name) => name.startsWith(tool)),
      `${tool} is a dev tool, deployed anyway`,
    )
  }
  const weirPackages = installed.filter((name) => name.startsWith('@weir+'))
  assert.ok(weirPackages.length >= 5, `deployed ${weirPackages.join(', ')}`)
  for (const name of weirPackages) {
    const folder = join(
      out,
      'node_modules',
      '.pnpm',
      name,
      'node_modules',
      '@weir',
      name.slice('@weir+'.length).split('@')[0]!,
    )
    assert.not.ok(existsSync(join(folder, 'src')), `${name} deployed with its sources`)
    assert.ok(existsSync(join(folder, 'LICENSE')), `${name} deployed without its LICENSE`)
  }

  // As `npm install --omit=optional` would: pino-pretty (optional, for terminals) is not there.
  const pretty = installed.filter((name) => name.startsWith('pino-pretty@'))
  assert.is(pretty.length, 1, 'pino-pretty is deployed as an optional dependency')
  rmSync(join(out, 'node_modules', '.pnpm', pretty[0]!), { recursive: true })
  deployedWithoutPretty = out

  const dataDir = join(out, 'data')
  const broker = spawn(
    process.execPath,
    [
      join(out, 'dist', 'main.js'),
      'broker',
      '--listen',
      '127.0.0.1:0',
      '--data-dir',
      dataDir,
      '--advertised-host',
      'weir-deployed.test',
    ],
    { env: withoutNodePath() },
  )
  children.add(broker)
  let output = ''
  const listening = new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8')
      const match = /listening on (127\.0\.0\.1:\d+)/.exec(output)
      if (match) resolve(match[1]!)
    }
    broker.stdout.on('data', onData)
    broker.stderr.on('data', onData)
    broker.once('exit', (code) => reject(new Error(`the deployed broker exited with ${code}:\n${output}`)))
  })
  const address = await withTimeout(listening, 60_000, () => `the deployed broker to listen:\n${output}`)
  // JSON log lines: stdout is a pipe, and pino-pretty is gone anyway.
  assert.ok(output.trimStart().startsWith('{'), output)
  const described = await run(['cluster', 'describe', '--bootstrap', address])
  assert.is(described.code, 0, described.stderr)
  assert.match(described.stdout, 'weir-deployed.test:')
})

/**
 * The environment minus NODE_PATH: pnpm sets it (to its virtual store) for the scripts it runs, and
 * CommonJS require searches it, so a package missing from a deployed tree would still be found.
 */
function withoutNodePath(): NodeJS.ProcessEnv {
  const { NODE_PATH: _, ...rest } = process.env
  return rest
}

/**
 * The first log line of `weir broker` (the JS file `main`) run on a terminal: `script` gives it a
 * pseudo-terminal as stdout. SIGTERM to script ends the broker it started (gracefully).
 */
async function firstLineOnTerminal(main: string, dataDir: string): Promise<string> {
  const command = [process.execPath, main, 'broker', '--listen', '127.0.0.1:0', '--data-dir', dataDir]
  const child = spawn(
    'script',
    ['-qec', command.map((word) => JSON.stringify(word)).join(' '), '/dev/null'],
    {
      env: withoutNodePath(),
    },
  )
  children.add(child)
  let output = ''
  const listening = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8')
      if (output.includes('listening on 127.0.0.1:')) resolve()
    })
    child.once('exit', (code) => reject(new Error(`script exited with ${code}:\n${output}`)))
  })
  await withTimeout(listening, 60_000, () => `the broker on a terminal to listen:\n${output}`)
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  await withTimeout(exited, 30_000, 'the broker on a terminal to stop')
  return output.trimStart().split('\n')[0]!
}

test('on a terminal, logs are pretty with pino-pretty installed and JSON lines without it', async () => {
  if (!existsSync('/usr/bin/script')) {
    console.log('  script (util-linux) not installed: the terminal case is not checked')
    return
  }
  assert.ok(deployedWithoutPretty !== undefined, 'the deploy test runs first')
  const data = mkdtempSync(join(tmpdir(), 'weir-tty-'))
  temporary.push(data)
  const pretty = await firstLineOnTerminal(workspaceCli, join(data, 'pretty'))
  assert.match(pretty, /^\S*\[\d\d:\d\d:\d\d\.\d{3}\]/, `pretty lines start with the time: ${pretty}`)
  const plain = await firstLineOnTerminal(join(deployedWithoutPretty, 'dist', 'main.js'), join(data, 'plain'))
  assert.ok(plain.startsWith('{"level":'), `without pino-pretty: ${plain}`)
})

test('a bad --advertised-host is a one-line usage error', async () => {
  // Bounded: were the flag accepted, a broker would start and run until killed.
  const attempt = run([
    'broker',
    '--advertised-host',
    'host:7171',
    '--listen',
    '127.0.0.1:0',
    '--data-dir',
    tmpdir(),
  ])
  const result = await withTimeout(attempt, 60_000, 'weir broker to refuse --advertised-host host:7171')
  assert.is(result.code, 2, result.stderr)
  assert.match(result.stderr, '--advertised-host must be a host name or address without a port')
})

test('systemd-analyze verify accepts weir.service (its binary path swapped for one that exists here)', async () => {
  const analyze = ['/usr/bin/systemd-analyze', '/bin/systemd-analyze'].find((path) => existsSync(path))
  const unit = readFileSync(join(deployDirectory, 'weir.service'), 'utf8')
  for (const key of [
    'User=weir',
    'Restart=on-failure',
    'LimitNOFILE=',
    'NoNewPrivileges=yes',
    'ProtectSystem=strict',
  ]) {
    assert.match(unit, key)
  }
  assert.match(unit, /^ExecStart=\/usr\/local\/bin\/weir broker --data-dir \/var\/lib\/weir /m)
  if (analyze === undefined) {
    console.log('  systemd-analyze not installed: unit syntax not verified')
    return
  }
  const directory = mkdtempSync(join(tmpdir(), 'weir-unit-'))
  temporary.push(directory)
  writeFileSync(
    join(directory, 'weir.service'),
    unit.replace('ExecStart=/usr/local/bin/weir', `ExecStart=${process.execPath}`),
  )
  const verified = await runToEnd(analyze, ['verify', '--man=no', join(directory, 'weir.service')], {
    cwd: directory,
  })
  assert.is(verified.code, 0, verified.stderr)
  assert.is(verified.stderr.trim(), '', 'systemd-analyze warns about the unit')
})

test.after(() => {
  killChildren()
  for (const child of children) child.kill('SIGKILL')
  for (const directory of temporary) rmSync(directory, { recursive: true, force: true })
})

test.run()
