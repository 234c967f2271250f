// `weir <command> [flags]`: finds the command in the table and runs it. Kept apart from main.ts so
// tests can call it without spawning a process.
import { type Command, exitCodes } from './command.js'
import { commands } from './commands.js'
import { completionCommand } from './completion-command.js'
import { hoistGlobalFlags } from './global-flags.js'
import { cliVersion } from './version.js'

export function usage(): string {
  const all = withCompletion()
  const width = Math.max(...Object.keys(all).map((name) => name.length))
  const lines = Object.entries(all).map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`)
  return [
    'Usage: weir <command> [flags]',
    '',
    'Commands:',
    ...lines,
    '',
    'Global flags:',
    '  -V, --version   print the version of weir',
    '  -h, --help      show this help',
    '  -b, --brokers, --bootstrap and --profile may also come before the command.',
    '',
    'Environment: WEIR_BROKERS (or WEIR_BOOTSTRAP) HOST:PORT[,...], WEIR_PROFILE NAME,',
    'WEIR_SASL_PASSWORD. Profiles live in ~/.config/weir/config.json ($XDG_CONFIG_HOME/weir/...).',
    '',
    'Run `weir <command> --help` for the flags of a command.',
  ].join('\n')
}

/** The command table plus `completion`, which needs the table itself to describe it. */
function withCompletion(): Readonly<Record<string, Command>> {
  return { ...commands, completion: completionCommand(commands) }
}

export async function runCli(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = hoistGlobalFlags(argv)
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const out = name === undefined ? process.stderr : process.stdout
    out.write(`${usage()}\n`)
    return name === undefined ? exitCodes.usage : exitCodes.ok
  }
  if (name === '--version' || name === '-V') {
    process.stdout.write(`weir ${cliVersion()}\n`)
    return exitCodes.ok
  }
  const all = withCompletion()
  const command: Command | undefined = Object.hasOwn(all, name) ? all[name] : undefined
  if (command === undefined) {
    process.stderr.write(`weir: unknown command ${JSON.stringify(name)}\nsee weir --help\n`)
    return exitCodes.usage
  }
  return command.run(rest)
}
