// The test certificates in test/fixtures/tls (made by its make.sh; tests only).
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const tlsFixtureDir = fileURLToPath(new URL('../fixtures/tls/', import.meta.url))

export function tlsFixture(name: string): Buffer {
  return readFileSync(`${tlsFixtureDir}${name}`)
}
