// `weir completion bash|zsh|fish`: prints a completion script for the shell. The commands table
// is passed in by run.ts (importing it here would make an import cycle through commands.ts).
import { type Command, exitCodes, usageHint } from './command.js'
import { commandFromHelp, completionScript, type Shell, shells } from './completion-script.js'

const help = `Usage: weir completion bash|zsh|fish

Prints a completion script for commands, their actions and flags.
  bash:  source <(weir completion bash)        (or save it to /etc/bash_completion.d/weir)
  zsh:   source <(weir completion zsh)         (after compinit)
  fish:  weir completion fish | source         (or save it to ~/.config/fish/completions/weir.fish)
`

/** What `name --help` prints, captured: every command writes its help to stdout and returns. */
async function helpOf(command: Command): Promise<string> {
  const chunks: string[] = []
  const write = process.stdout.write
  process.stdout.write = ((chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'))
    return true
  }) as typeof process.stdout.write
  try {
    await command.run(['--help'])
  } finally {
    process.stdout.write = write
  }
  return chunks.join('')
}

export function completionCommand(commands: Readonly<Record<string, Command>>): Command {
  return {
    summary: 'print a shell completion script (bash, zsh or fish)',
    async run(argv) {
      const [shell, ...extra] = argv
      if (shell === '--help' || shell === '-h') {
        process.stdout.write(help)
        return exitCodes.ok
      }
      if (shell === undefined || !(shells as readonly string[]).includes(shell) || extra.length > 0) {
        process.stderr.write(
          `weir completion: needs one shell: ${shells.join(', ')}, got ${JSON.stringify(argv.join(' '))}\n${usageHint('completion')}\n`,
        )
        return exitCodes.usage
      }
      const completed = []
      for (const [name, command] of Object.entries(commands))
        completed.push(commandFromHelp(name, await helpOf(command)))
      completed.push(commandFromHelp('completion', help))
      process.stdout.write(completionScript(shell as Shell, completed))
      return exitCodes.ok
    },
  }
}
