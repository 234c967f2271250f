// Flag parsing shared by the commands: node:util parseArgs with a usage message, and paths
// resolved against the directory the user ran the command from (pnpm sets INIT_CWD to it).
import { resolve } from 'node:path'
import { type ParseArgsConfig, parseArgs } from 'node:util'
import { attachNegativeValues } from './negative-values.js'

export class UsageError extends Error {
  override readonly name = 'UsageError'
}

export function parseFlags<Options extends NonNullable<ParseArgsConfig['options']>>(
  argv: readonly string[],
  options: Options,
): ReturnType<
  typeof parseArgs<{ args: string[]; options: Options; strict: true; allowPositionals: false }>
>['values'] {
  try {
    return parseArgs({
      args: attachNegativeValues(argv, options),
      options,
      strict: true,
      allowPositionals: false,
    }).values
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
}

/** The directory the user typed the command in. */
export function userDirectory(): string {
  return process.env.INIT_CWD ?? process.cwd()
}

export function userPath(path: string): string {
  return resolve(userDirectory(), path)
}
