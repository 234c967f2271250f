// The version `weir --version` prints: the cli package's own package.json, read next to dist/
// (or src/ under tsx), so it cannot drift from what was published.
import { readFileSync } from 'node:fs'

export function cliVersion(): string {
  const text = readFileSync(new URL('../package.json', import.meta.url), 'utf8')
  return (JSON.parse(text) as { version: string }).version
}
