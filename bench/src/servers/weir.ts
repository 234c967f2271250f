// The Weir broker built from this checkout, as a child process (see e2e/weir-server.ts), and what
// identifies the build: the package version and the git commit it was built from.
import { execFile } from 'node:child_process'
import { access, readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { startWeirServer, type WeirServerConfig, weirCliPath } from '../e2e/weir-server.js'
import type { RunningServer, ServerAvailability } from './server.js'

const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url))
const brokerPackageJson = fileURLToPath(new URL('../../../packages/broker/package.json', import.meta.url))

export async function findWeir(): Promise<ServerAvailability> {
  try {
    await access(weirCliPath)
  } catch {
    return { available: false, reason: `${weirCliPath} is missing: run \`pnpm build\` first` }
  }
  const { version } = JSON.parse(await readFile(brokerPackageJson, 'utf8')) as { version: string }
  return { available: true, executable: weirCliPath, version: `@weir/broker ${version} ${await gitCommit()}` }
}

/** The commit of this checkout, with "+uncommitted changes" when packages/ differs from it. */
async function gitCommit(): Promise<string> {
  const git = (args: string[]) =>
    new Promise<string>((resolve) =>
      execFile('git', args, { cwd: repositoryRoot, timeout: 10_000 }, (error, stdout) =>
        resolve(error ? '' : stdout.trim()),
      ),
    )
  const commit = await git(['rev-parse', 'HEAD'])
  if (commit === '') return 'commit unknown'
  const changes = await git(['status', '--porcelain', '--', 'packages'])
  return changes === '' ? `commit ${commit}` : `commit ${commit} + uncommitted changes in packages/`
}

export async function startWeir(config?: WeirServerConfig): Promise<RunningServer> {
  const server = await startWeirServer(config)
  const [host, port] = server.address.split(':')
  return { host: host!, port: Number(port), stop: () => server.stop() }
}
