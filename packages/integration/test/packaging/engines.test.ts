// Proves the engines check (.ci/check-engines.mjs, run by `pnpm lint`) refuses a runtime dependency, direct or transitive, whose engines.node excludes our oldest Node, ignores private packages and dev dependencies, and passes on this workspace as installed.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { repositoryRoot, runToEnd } from './packaging-support.js'

const script = join(repositoryRoot, '.ci', 'check-engines.mjs')
const roots: string[] = []

function writeManifest(directory: string, manifest: object): void {
  mkdirSync(directory, { recursive: true })
  writeFileSync(join(directory, 'package.json'), JSON.stringify(manifest))
}

/**
 * A workspace like ours: engines >= 20, a published package `lib` depending on `ok` (>= 18), which
 * depends on `modern` (>= 22, like strip-json-comments 5.1); `lib` also lists a missing optional
 * dependency. A private `tool` depends on `newest` (>= 24) and `lib` has a devDependency on it:
 * neither is installed for a user of `lib`.
 */
function workspace(): string {
  const root = mkdtempSync(join(tmpdir(), 'weir-engines-'))
  roots.push(root)
  writeManifest(root, { name: 'root', private: true, engines: { node: '>=20' } })
  writeManifest(join(root, 'packages', 'lib'), {
    name: '@weir/lib',
    dependencies: { ok: '^1.0.0' },
    optionalDependencies: { 'not-for-this-platform': '^1.0.0' },
    devDependencies: { newest: '^1.0.0' },
  })
  writeManifest(join(root, 'packages', 'tool'), {
    name: '@weir/tool',
    private: true,
    dependencies: { newest: '^1.0.0' },
  })
  const modules = join(root, 'node_modules')
  writeManifest(join(modules, 'ok'), {
    name: 'ok',
    version: '1.2.0',
    engines: { node: '>=18' },
    dependencies: { modern: '^5.0.0' },
  })
  writeManifest(join(modules, 'modern'), { name: 'modern', version: '5.1.0', engines: { node: '>=22' } })
  writeManifest(join(modules, 'newest'), { name: 'newest', version: '1.0.0', engines: { node: '>=24' } })
  return root
}

test('a transitive runtime dependency wanting Node >= 22 fails the check, naming it and who pulls it in', async () => {
  const root = workspace()
  const result = await runToEnd(process.execPath, [script, root], { cwd: root })
  assert.is(result.code, 1, result.stdout)
  assert.match(result.stderr, 'modern@5.1.0 wants node ">=22" (pulled in by @weir/lib > ok@1.2.0)')
  assert.match(result.stderr, 'admits Node 20.0.0')
  assert.not.match(result.stderr, 'newest', 'a private package or a devDependency is not installed for users')
  assert.not.match(result.stderr, 'not-for-this-platform', 'a missing optional dependency is fine')
})

test('the same workspace with that dependency admitting Node 20 passes', async () => {
  const root = workspace()
  writeManifest(join(root, 'node_modules', 'modern'), {
    name: 'modern',
    version: '5.0.3',
    engines: { node: '>=14.16' },
  })
  const result = await runToEnd(process.execPath, [script, root], { cwd: root })
  assert.is(result.code, 0, result.stderr)
  assert.match(result.stdout, '2 installed runtime dependencies of the published packages admit Node 20.0.0')
})

test('a missing required dependency is reported, not skipped', async () => {
  const root = workspace()
  rmSync(join(root, 'node_modules', 'ok'), { recursive: true })
  const result = await runToEnd(process.execPath, [script, root], { cwd: root })
  assert.is(result.code, 1)
  assert.match(result.stderr, 'ok (needed by @weir/lib) is not installed')
})

test('this workspace: every runtime dependency of the published packages admits Node 20', async () => {
  const result = await runToEnd(process.execPath, [script], { cwd: dirname(script) })
  assert.is(result.code, 0, result.stderr)
})

test.after(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true })
})

test.run()
