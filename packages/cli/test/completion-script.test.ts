// Proves shell completion: actions and flags are read from a help text's Usage and flag lines (not its prose), and the bash script, run by a real bash, completes commands, actions and flags.
import { execFileSync } from 'node:child_process'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { commandFromHelp, completionScript } from '../src/completion-script.js'

const help = `Usage:
  weir groups list [--json]
  weir groups reset-offsets GROUP --topic TOPIC
  weir broker drain|undrain ID

Prose mentions --authorizer and weir other-command, which are not this command's.

Flags:
  --topic TOPIC         the topic
                        --continued-prose is not a flag definition
  --peer-tls-cert FILE, --peer-tls-key FILE
  -b, --brokers HOST:PORT   where
  -h, --help            show this help
`

test('actions from Usage lines, flags from definition lines only', () => {
  const groups = commandFromHelp('groups', help)
  assert.equal(groups.actions, ['list', 'reset-offsets'])
  assert.equal(groups.flags, [
    '--topic',
    '--peer-tls-cert',
    '--peer-tls-key',
    '-b',
    '--brokers',
    '-h',
    '--help',
  ])
  assert.equal(commandFromHelp('broker', help).actions, ['drain', 'undrain'])
})

/** What bash's programmable completion offers for `words` (the last one being completed). */
function complete(script: string, words: readonly string[]): string[] {
  const program = `${script}
COMP_WORDS=(${words.map((word) => `'${word}'`).join(' ')})
COMP_CWORD=${words.length - 1}
_weir
printf '%s\\n' "\${COMPREPLY[@]}"`
  return execFileSync('bash', ['-c', program], { encoding: 'utf8' }).split('\n').filter(Boolean)
}

test('the bash script completes commands, actions and flags in a real bash', () => {
  const script = completionScript('bash', [commandFromHelp('groups', help), commandFromHelp('broker', help)])
  assert.equal(complete(script, ['weir', 'gr']), ['groups'])
  assert.equal(complete(script, ['weir', '--v']), ['--version'])
  assert.equal(complete(script, ['weir', 'groups', 're']), ['reset-offsets'])
  assert.equal(complete(script, ['weir', 'groups', 'list', '--b']), ['--brokers'])
  assert.equal(complete(script, ['weir', 'broker', 'un']), ['undrain'])
})

test('zsh and fish scripts name every command, action and flag', () => {
  const commands = [commandFromHelp('groups', help)]
  const zsh = completionScript('zsh', commands)
  assert.match(zsh, /^#compdef weir\n/)
  assert.match(zsh, /compadd -- --topic --peer-tls-cert --peer-tls-key -b --brokers -h --help\n/)
  assert.match(zsh, /compadd -- list reset-offsets\n/)
  assert.match(zsh, /compdef _weir weir\n$/)
  const fish = completionScript('fish', commands)
  assert.match(fish, /complete -c weir -n __fish_use_subcommand -a 'groups'\n/)
  assert.match(fish, /complete -c weir -n '__fish_seen_subcommand_from groups' -a 'list reset-offsets'\n/)
  assert.match(fish, /complete -c weir -n '__fish_seen_subcommand_from groups' -s b\n/)
  assert.match(fish, /complete -c weir -n '__fish_seen_subcommand_from groups' -l peer-tls-key\n/)
})

test.run()
