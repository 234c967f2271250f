// Proves every published package's tarball (`npm pack --dry-run`) holds only its compiled dist (.js and .d.ts), README, LICENSE and package.json (and the console's page, public/), and everything its main, types, exports and bin point at.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type Manifest, publishedPackages, runToEnd } from './packaging-support.js'

const allowed = /^(package\.json|README\.md|LICENSE|dist\/.+\.(js|d\.ts))$/
/** The web console serves its page from the package at run time. */
const consolePage = /^public\/[a-z-]+\.(html|css|js)$/

/** The files a user's import or `weir` command needs, as tarball paths ('./dist/x.js' → 'dist/x.js'). */
function entryPoints(manifest: Manifest): string[] {
  const targets = [
    manifest.main,
    manifest.types,
    ...Object.values(manifest.bin ?? {}),
    ...Object.values(manifest.exports ?? {}).flatMap((entry) => [entry.types, entry.default]),
  ]
  return targets.filter((target) => target !== undefined).map((target) => target.replace(/^\.\//, ''))
}

const packages = publishedPackages()

test('the published packages are the five libraries, the console and the CLI', () => {
  const names = packages.map(({ manifest }) => manifest.name).sort()
  assert.equal(names, [
    '@weir/broker',
    '@weir/cli',
    '@weir/client',
    '@weir/console',
    '@weir/protocol',
    '@weir/raft',
    '@weir/storage',
  ])
})

for (const { directory, manifest } of packages) {
  test(`${manifest.name}: npm pack holds only dist, README, LICENSE and package.json (console: and public/)`, async () => {
    const packed = await runToEnd('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: directory,
    })
    assert.is(packed.code, 0, packed.stderr)
    const [tarball] = JSON.parse(packed.stdout) as { files: { path: string }[] }[]
    const files = tarball!.files.map((file) => file.path)
    const page = manifest.name === '@weir/console' ? consolePage : undefined
    const unexpected = files.filter((file) => !allowed.test(file) && !page?.test(file))
    assert.equal(unexpected, [], `${manifest.name} would publish ${unexpected.join(', ')}`)
    for (const required of ['README.md', 'LICENSE', ...entryPoints(manifest)]) {
      assert.ok(files.includes(required), `${manifest.name}'s tarball lacks ${required} (built? in "files"?)`)
    }
  })
}

test.run()
