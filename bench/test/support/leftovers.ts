// What a harness run may leave behind: the smoke tests check there is nothing.
import { execFileSync } from 'node:child_process'
import { readdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { temporaryPrefix } from '../../src/temporary-directory.js'

/** The benchmark's temp directories now in the system temp directory, sorted. */
export async function leftoverDirectories(): Promise<string[]> {
  return (await readdir(tmpdir())).filter((name) => name.startsWith(temporaryPrefix)).sort()
}

/** `pgrep -a` lines of this test process's children whose command line matches `command`. */
export function childProcesses(command: RegExp): string[] {
  try {
    return execFileSync('pgrep', ['-a', '-P', String(process.pid)], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => command.test(line))
  } catch {
    return [] // pgrep exits 1 when nothing matches.
  }
}
