// What the packaging tests share: the repository root, the published packages, and a child
// process run to completion with its output (bounded: a hung npm or pnpm fails, naming itself).
import { execFile } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { withTimeout } from '@weir/protocol/testing'

export const repositoryRoot = fileURLToPath(new URL('../../../../', import.meta.url))

export type Manifest = {
  name: string
  private?: boolean
  main?: string
  types?: string
  bin?: Record<string, string>
  exports?: Record<string, { types?: string; default?: string }>
}

/** The folders of packages/* that are published (not private), with their package.json. */
export function publishedPackages(): { directory: string; manifest: Manifest }[] {
  const packagesDirectory = join(repositoryRoot, 'packages')
  return readdirSync(packagesDirectory, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(packagesDirectory, entry.name))
    .flatMap((directory) => {
      try {
        return [{ directory, manifest: JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')) }]
      } catch {
        return []
      }
    })
    .filter(({ manifest }) => manifest.private !== true)
}

export type Finished = { code: number; stdout: string; stderr: string }

/** Runs `command args` in `cwd` to its end; never rejects on a non-zero exit (the caller asserts). */
export function runToEnd(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<Finished> {
  const finished = new Promise<Finished>((resolve) => {
    execFile(
      command,
      args,
      { cwd: options.cwd, env: options.env ?? process.env, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1
        resolve({ code, stdout, stderr })
      },
    )
  })
  return withTimeout(finished, options.timeoutMs ?? 120_000, `${command} ${args.join(' ')} in ${options.cwd}`)
}
