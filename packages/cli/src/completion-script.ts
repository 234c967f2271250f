// Shell completion scripts for bash, zsh and fish, built from each command's --help text so the
// completions cannot drift from the flags a command documents. Pure: the caller collects the
// help texts (completion-command.ts).

export interface CompletedCommand {
  readonly name: string
  /** Words that may follow the command name (create, list...); empty when it takes none. */
  readonly actions: readonly string[]
  /** Long flags with their leading dashes, and short ones (-b). */
  readonly flags: readonly string[]
}

export const shells = ['bash', 'zsh', 'fish'] as const
export type Shell = (typeof shells)[number]

/** Global words offered in first position besides the commands. */
const globalFlags = ['--help', '--version', '--brokers', '--profile']

/**
 * Reads a command's actions from its Usage lines (`weir topics create NAME`, `weir broker
 * drain|undrain ID`: lowercase words right after the command name) and its flags from the lines
 * that define them (an indented `-b, --brokers ...` or `--json ...`), never from prose.
 */
export function commandFromHelp(name: string, help: string): CompletedCommand {
  const actions = new Set<string>()
  const flags = new Set<string>()
  const usage = new RegExp(`weir ${name} ([a-z][a-z-]*(?:\\|[a-z][a-z-]*)*)(?=\\s|$)`, 'g')
  for (const match of help.matchAll(usage)) for (const action of match[1]!.split('|')) actions.add(action)
  for (const line of help.split('\n')) {
    // The definition is what precedes the description (two or more spaces): `-b, --brokers X`,
    // or several flags at once, `--peer-tls-cert FILE, --peer-tls-key FILE`.
    // Definitions are indented a little; a description's continuation lines, far more.
    if (!/^ {1,6}-/.test(line)) continue
    const [definition] = line.trim().split(/\s{2,}/, 1)
    for (const match of definition!.matchAll(/(?:^|[\s,])(--[a-z][a-z0-9-]*|-[a-zA-Z])(?=[\s,=]|$)/g))
      flags.add(match[1]!)
  }
  return { name, actions: [...actions], flags: [...flags] }
}

function words(list: readonly string[]): string {
  return list.join(' ')
}

function bash(commands: readonly CompletedCommand[]): string {
  const cases = commands
    .map(
      (command) =>
        `    ${command.name}) actions="${words(command.actions)}"; flags="${words(command.flags)}" ;;`,
    )
    .join('\n')
  return `# weir completion for bash. Load it with: source <(weir completion bash)
_weir() {
  local cur="\${COMP_WORDS[COMP_CWORD]}"
  local actions="" flags=""
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "${words([...commands.map((command) => command.name), ...globalFlags])}" -- "$cur"))
    return
  fi
  case "\${COMP_WORDS[1]}" in
${cases}
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$flags" -- "$cur"))
  elif [ "$COMP_CWORD" -eq 2 ] && [ -n "$actions" ]; then
    COMPREPLY=($(compgen -W "$actions" -- "$cur"))
  fi
}
complete -o default -F _weir weir
`
}

function zsh(commands: readonly CompletedCommand[]): string {
  const cases = commands
    .map(
      (command) => `    ${command.name})
      if [[ $PREFIX == -* ]]; then compadd -- ${words(command.flags)}
      elif (( CURRENT == 3 )) && [[ -n "${words(command.actions)}" ]]; then compadd -- ${words(command.actions)}
      else _files; fi ;;`,
    )
    .join('\n')
  return `#compdef weir
# weir completion for zsh. Load it with: source <(weir completion zsh) (after compinit)
_weir() {
  if (( CURRENT == 2 )); then
    compadd -- ${words([...commands.map((command) => command.name), ...globalFlags])}
    return
  fi
  case $words[2] in
${cases}
  esac
}
compdef _weir weir
`
}

function fish(commands: readonly CompletedCommand[]): string {
  const lines = [
    '# weir completion for fish. Load it with: weir completion fish | source',
    'complete -c weir -f',
    `complete -c weir -n __fish_use_subcommand -a '${words(commands.map((command) => command.name))}'`,
  ]
  for (const command of commands) {
    const when = `-n '__fish_seen_subcommand_from ${command.name}'`
    if (command.actions.length > 0) lines.push(`complete -c weir ${when} -a '${words(command.actions)}'`)
    for (const flag of command.flags)
      lines.push(
        `complete -c weir ${when} ${flag.startsWith('--') ? `-l ${flag.slice(2)}` : `-s ${flag.slice(1)}`}`,
      )
  }
  return `${lines.join('\n')}\n`
}

export function completionScript(shell: Shell, commands: readonly CompletedCommand[]): string {
  return shell === 'bash' ? bash(commands) : shell === 'zsh' ? zsh(commands) : fish(commands)
}
