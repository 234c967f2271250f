// Every benchmark file lives under one prefix in the OS temp directory, so leftovers of a killed
// run are easy to find, and the smoke test can check that a finished run left none.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const temporaryPrefix = 'weir-bench-'

/** Runs `use` in a fresh directory and deletes the directory afterwards, whether `use` throws or not. */
export async function withTemporaryDirectory<T>(use: (directory: string) => Promise<T>): Promise<T> {
  const directory = await mkdtemp(join(tmpdir(), temporaryPrefix))
  try {
    return await use(directory)
  } finally {
    await rm(directory, { recursive: true, force: true })
  }
}
