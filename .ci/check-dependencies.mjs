// The package dependency rule, checked in `pnpm lint`. Each package may depend on the packages of
// ours listed below and on no other; the same line is in its README. Checked: every import in
// packages/*/src/**/*.ts (static, re-export, dynamic, import type), each package.json's
// dependencies of every kind, and each tsconfig.json's project references; a relative import that
// climbs out of its package ('../../client/src/...') is refused whatever it reaches. Tests (packages/*/test), examples/ and bench/ may import anything.
// Exits 1 naming the file, the forbidden import and the rule. Circular imports inside a package
// are the other half of the check: dependency-cruiser with .ci/dependency-cruiser.cjs.
// Then the engines rule (.ci/check-engines.mjs): every runtime dependency a published package
// installs must admit the oldest Node our `engines` allow.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { checkEngines } from './check-engines.mjs'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const scope = '@weir/'

/**
 * Package folder → the packages of ours it may import, and why. `onlyIn` narrows an allowed
 * import to the files named (paths relative to the package folder).
 */
const rules = {
  protocol: { may: [], why: 'protocol imports nothing of ours: it is what every other package agrees on' },
  raft: { may: [], why: 'raft imports nothing of ours: a pure state machine, the caller does all I/O' },
  storage: { may: ['protocol'], why: 'storage → protocol' },
  client: {
    may: ['protocol'],
    why: 'client → protocol: shared mechanics live in protocol, never in the broker',
  },
  broker: {
    may: ['storage', 'raft', 'protocol'],
    why: 'broker → storage, raft, protocol (never the client)',
  },
  cli: {
    may: ['client', 'protocol', 'broker', 'console'],
    onlyIn: { broker: ['src/broker-command.ts'] },
    why: 'cli → client, protocol, console; broker only in src/broker-command.ts, which has to start one',
  },
  console: {
    may: ['client', 'protocol'],
    why: 'console → client, protocol: a web page over the client, like any application',
  },
  simulation: {
    may: ['broker', 'client', 'protocol', 'storage', 'raft'],
    why: 'simulation runs brokers and clients in one process over simulated I/O: any library package, never the cli',
  },
  chaos: {
    may: ['client', 'protocol', 'cli'],
    why: 'chaos runs `weir broker` child processes (the cli binary, never imported) and talks to them as a client: client, protocol',
  },
  integration: { may: 'anything', why: 'tests across packages may import anything' },
}

const dependencyFields = ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies']
const violations = []

function violation(file, what, pkg) {
  const rule = rules[pkg]
  violations.push(`${relative(root, file)}: ${what}\n    rule: ${rule.why} (packages/${pkg}/README.md)`)
}

/** Why `pkg` may not import package `target` from `fileInPackage`, or undefined if it may. */
function forbidden(pkg, target, fileInPackage) {
  const rule = rules[pkg]
  if (rule.may === 'anything' || target === pkg) return undefined
  if (!rule.may.includes(target)) {
    const allowed =
      rule.may.length === 0 ? 'nothing of ours' : rule.may.map((name) => scope + name).join(', ')
    return `${pkg} may import ${allowed}`
  }
  const onlyIn = rule.onlyIn?.[target]
  if (onlyIn !== undefined && fileInPackage !== undefined && !onlyIn.includes(fileInPackage)) {
    return `${pkg} may import ${scope}${target} only in ${onlyIn.join(', ')}`
  }
  return undefined
}

function sourceFiles(directory) {
  if (!existsSync(directory)) return []
  return readdirSync(directory, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name))
    .sort()
}

/**
 * The package of ours an import specifier names ('@weir/x' → x), 'relative' for a relative path
 * that leaves the importing package, or undefined for node:, npm packages and files inside `pkg`.
 */
function importedPackage(specifier, file, pkg) {
  if (specifier.startsWith(scope)) return specifier.slice(scope.length).split('/')[0]
  if (!specifier.startsWith('.')) return undefined
  const target = relative(join(root, 'packages', pkg), resolve(dirname(file), specifier))
  return target.startsWith('..') ? 'relative' : undefined
}

function checkSources(pkg) {
  if (rules[pkg].may === 'anything') return
  const packageDirectory = join(root, 'packages', pkg)
  for (const file of sourceFiles(join(packageDirectory, 'src'))) {
    const text = readFileSync(file, 'utf8')
    const { importedFiles } = ts.preProcessFile(text, true, true)
    for (const { fileName: specifier, pos } of importedFiles) {
      const target = importedPackage(specifier, file, pkg)
      if (target === undefined) continue
      const where = `${file}:${text.slice(0, pos).split('\n').length}`
      const reason =
        target === 'relative'
          ? 'a relative path must not leave its package: import the other package by its @weir/ name'
          : forbidden(pkg, target, relative(packageDirectory, file).split(sep).join('/'))
      if (reason !== undefined) violation(where, `imports '${specifier}', but ${reason}`, pkg)
    }
  }
}

function checkManifest(pkg) {
  const file = join(root, 'packages', pkg, 'package.json')
  const manifest = JSON.parse(readFileSync(file, 'utf8'))
  for (const field of dependencyFields) {
    for (const name of Object.keys(manifest[field] ?? {})) {
      if (!name.startsWith(scope)) continue
      const reason = forbidden(pkg, name.slice(scope.length))
      if (reason !== undefined) violation(file, `${field} has "${name}", but ${reason}`, pkg)
    }
  }
}

function checkReferences(pkg) {
  const file = join(root, 'packages', pkg, 'tsconfig.json')
  if (!existsSync(file)) return
  for (const { path } of JSON.parse(readFileSync(file, 'utf8')).references ?? []) {
    const target = relative(join(root, 'packages'), resolve(dirname(file), path)).split(sep)[0]
    const reason = forbidden(pkg, target)
    if (reason !== undefined) violation(file, `references "${path}", but ${reason}`, pkg)
  }
}

const packages = readdirSync(join(root, 'packages'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(root, 'packages', entry.name, 'package.json')))
  .map((entry) => entry.name)
  .sort()

for (const pkg of packages) {
  if (rules[pkg] === undefined) {
    violations.push(
      `packages/${pkg}: no dependency rule for this package\n    rule: every package states what it may import: add it to .ci/check-dependencies.mjs and to its README`,
    )
    continue
  }
  checkSources(pkg)
  checkManifest(pkg)
  checkReferences(pkg)
}

if (violations.length > 0) {
  console.error(`dependency rule: ${violations.length} forbidden import(s)\n`)
  for (const line of violations) console.error(`  ${line}`)
  process.exit(1)
}
console.log(`dependency rule: ${packages.length} packages checked, no forbidden import`)

const enginesFindings = checkEngines(root)
if (enginesFindings.problems.length > 0) {
  console.error(
    `engines: ${enginesFindings.problems.length} runtime dependenc(ies) refuse Node ${enginesFindings.node}\n`,
  )
  for (const line of enginesFindings.problems) console.error(`  ${line}`)
  process.exit(1)
}
console.log(
  `engines: ${enginesFindings.checked} installed runtime dependencies of the published packages admit Node ${enginesFindings.node}`,
)
