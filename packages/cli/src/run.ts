// `weir <command> [flags]`: finds the command in the table and runs it. Kept apart from main.ts so
// tests can call it without spawning a process.
import { type Command, exitCodes } from './command.js'
import { commands } from './commands.js'

export function usage(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length))
  const lines = Object.entries(commands).map(
    ([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`,
  )
  return [
    'Usage: weir <command> [flags]',
    '',
    'Commands:',
    ...lines,
    '',
    'Run `weir <command> --help` for the flags of a command.',
  ].join('\n')
}

export async function runCli(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const out = name === undefined ? process.stderr : process.stdout
    out.write(`${usage()}\n`)
    return name === undefined ? exitCodes.usage : exitCodes.ok
  }
  const command: Command | undefined = Object.hasOwn(commands, name) ? commands[name] : undefined
  if (command === undefined) {
    process.stderr.write(`weir: unknown command ${JSON.stringify(name)}\n\n${usage()}\n`)
    return exitCodes.usage
  }
  return command.run(rest)
}
