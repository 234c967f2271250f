// What every `weir` subcommand is, and the exit codes they return. A leaf module: the commands
// import it, and the table of commands (commands.ts) imports them, so nothing imports itself back.

/**
 * 0 success, 1 a runtime failure (broker unreachable, port in use), 2 a usage error (bad flag) or
 * a data directory another broker holds, 130 stopped by Ctrl-C (SIGINT: 128 + 2, the shell's convention).
 */
export const exitCodes = { ok: 0, failure: 1, usage: 2, interrupted: 130 } as const

export interface Command {
  /** One line for `weir --help`. */
  readonly summary: string
  /** Runs with the arguments after the command name; resolves with the process exit code. */
  run(argv: readonly string[]): Promise<number>
}

/** The one-line pointer a usage error ends with, instead of reprinting the whole help. */
export function usageHint(command: string): string {
  return `see weir ${command} --help`
}
