// The engines rule, checked in `pnpm lint` (from check-dependencies.mjs) and runnable alone:
// `node .ci/check-engines.mjs [workspace-root]`. Our packages say `engines.node >= 20`; a runtime
// dependency that wants a newer Node (pino-pretty 13.1+ pulled in strip-json-comments 5.1, which
// wants Node >= 22) makes that promise false for the user who installs us. Walked: the
// dependencies, optionalDependencies and installed peerDependencies of every published (not
// private) package in packages/, then the dependencies and optionalDependencies of each of those,
// transitively, resolved the way Node resolves them (node_modules folders upwards from the real
// path). Each one's `engines.node`, when it has one, must admit the oldest Node the root
// package.json's `engines.node` allows. Exits 1 naming the dependency, its range and who pulls it in.
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import semver from 'semver'

const scope = '@weir/'

function readManifest(directory) {
  return JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8'))
}

/** The folder of package `name` as Node would find it from `fromDirectory`, or undefined. */
function resolvePackage(name, fromDirectory) {
  let directory = fromDirectory
  for (;;) {
    const candidate = join(directory, 'node_modules', name)
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate)
    const parent = dirname(directory)
    if (parent === directory) return undefined
    directory = parent
  }
}

/** [name, optional] for each dependency of `manifest` that an install of it brings along. */
function runtimeDependencies(manifest, withPeers) {
  const optionalPeers = manifest.peerDependenciesMeta ?? {}
  const entries = [
    ...Object.keys(manifest.dependencies ?? {}).map((name) => [name, false]),
    ...Object.keys(manifest.optionalDependencies ?? {}).map((name) => [name, true]),
  ]
  if (withPeers) {
    for (const name of Object.keys(manifest.peerDependencies ?? {})) {
      entries.push([name, optionalPeers[name]?.optional === true])
    }
  }
  return entries.filter(([name]) => !name.startsWith(scope))
}

/** Published package folders: packages/* with a package.json that is not private. */
export function publishedPackages(root) {
  const packagesDirectory = join(root, 'packages')
  return readdirSync(packagesDirectory, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(packagesDirectory, entry.name, 'package.json')))
    .map((entry) => join(packagesDirectory, entry.name))
    .filter((directory) => readManifest(directory).private !== true)
    .sort()
}

/**
 * Every runtime dependency installed for the published packages under `root` whose engines.node
 * refuses the oldest Node the root's engines.node allows. Returns that Node version, how many
 * distinct installed dependencies were checked, and one line per problem.
 */
export function checkEngines(root) {
  const engines = readManifest(root).engines?.node
  if (engines === undefined) {
    return {
      node: '(none)',
      checked: 0,
      problems: ['package.json: no engines.node: state the oldest Node we support'],
    }
  }
  const node = semver.minVersion(engines)?.version ?? engines
  const problems = []
  const seen = new Set()
  // Depth-first over the installed graph; `seen` (real paths) bounds it to the installed packages.
  const pending = publishedPackages(root).map((directory) => ({
    directory,
    chain: [readManifest(directory).name],
    withPeers: true,
  }))
  while (pending.length > 0) {
    const { directory, chain, withPeers } = pending.pop()
    for (const [name, optional] of runtimeDependencies(readManifest(directory), withPeers)) {
      const found = resolvePackage(name, directory)
      if (found === undefined) {
        if (!optional)
          problems.push(`${name} (needed by ${chain.join(' > ')}) is not installed: run pnpm install`)
        continue
      }
      if (seen.has(found)) continue
      seen.add(found)
      const manifest = readManifest(found)
      const range = manifest.engines?.node
      const label = `${manifest.name}@${manifest.version}`
      if (range !== undefined && !semver.satisfies(node, range, { includePrerelease: true })) {
        problems.push(
          `${label} wants node "${range}" (pulled in by ${chain.join(' > ')}): pick a version that admits Node ${node}, make it optional, or drop it`,
        )
      }
      pending.push({ directory: found, chain: [...chain, label], withPeers: false })
    }
  }
  return { node, checked: seen.size, problems: problems.sort() }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..'))
  const { node, checked, problems } = checkEngines(root)
  if (problems.length > 0) {
    console.error(`engines: ${problems.length} runtime dependenc(ies) refuse Node ${node}\n`)
    for (const line of problems) console.error(`  ${line}`)
    process.exit(1)
  }
  console.log(
    `engines: ${checked} installed runtime dependencies of the published packages admit Node ${node}`,
  )
}
