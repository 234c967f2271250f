// `weir users create|delete|list`: SCRAM users through the client's admin API. The password is
// taken from --password-file, --password or WEIR_USER_PASSWORD and never printed; only its salted
// hash leaves this process.
import { bootstrapHelp, connect, parseCommand, runCommand } from './client-flags.js'
import type { Command } from './command.js'
import { exitCodes } from './command.js'
import { UsageError } from './flags.js'
import { printJson, userListJson } from './json-output.js'
import { readFlagFile } from './security-flags.js'
import { table } from './table.js'

const help = `Usage:
  weir users create NAME (--password-file FILE | --password PASS | WEIR_USER_PASSWORD=...)
  weir users delete NAME
  weir users list [--json]

create makes a SCRAM user, or sets a new password for an existing one; every broker of the
cluster knows it at once. delete removes every credential of the user. list prints names and
mechanisms, never credentials.

Flags:
  --password-file FILE  the new user's password: the file's first line
  --password PASS       the password on the command line (prefer --password-file or WEIR_USER_PASSWORD)
  --mechanism M         scram-sha-256 or scram-sha-512 (default: both)
  --json                list: machine-readable output (shapes in the README)
${bootstrapHelp}
`

const flagOptions = {
  'password-file': { type: 'string' },
  password: { type: 'string' },
  mechanism: { type: 'string' },
  json: { type: 'boolean' },
} as const

function passwordOf(values: { 'password-file'?: string; password?: string }): string {
  const file = values['password-file']
  if (file !== undefined && values.password !== undefined)
    throw new UsageError('give --password-file or --password, not both')
  const password =
    file !== undefined
      ? (readFlagFile(file, '--password-file').split(/\r?\n/)[0] ?? '')
      : (values.password ?? process.env.WEIR_USER_PASSWORD)
  if (password === undefined || password === '')
    throw new UsageError(
      'users create needs a password: --password-file FILE, --password, or WEIR_USER_PASSWORD',
    )
  return password
}

function mechanismOf(value: string | undefined): 'scram-sha-256' | 'scram-sha-512' | undefined {
  if (value === undefined || value === 'scram-sha-256' || value === 'scram-sha-512') return value
  throw new UsageError(`--mechanism must be scram-sha-256 or scram-sha-512, got ${JSON.stringify(value)}`)
}

export const usersCommand: Command = {
  summary: 'create, delete or list SASL/SCRAM users',
  run: (argv) =>
    runCommand('users', help, async () => {
      const { values, positionals } = parseCommand(argv, flagOptions)
      if (values.help) {
        process.stdout.write(help)
        return exitCodes.ok
      }
      const [action, name, ...extra] = positionals
      if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`)
      if (action !== 'create' && action !== 'delete' && action !== 'list')
        throw new UsageError(
          action === undefined
            ? 'missing action: create, delete or list'
            : `unknown action ${JSON.stringify(action)}`,
        )
      if (action === 'list' && name !== undefined) throw new UsageError('users list takes no NAME')
      if (action !== 'list' && name === undefined) throw new UsageError(`users ${action} needs a NAME`)
      const password = action === 'create' ? passwordOf(values) : undefined
      const mechanism = mechanismOf(values.mechanism)
      const client = connect(values, 'weir-cli')
      try {
        const admin = client.admin()
        if (action === 'create') {
          await admin.createUser({
            username: name!,
            password: password!,
            ...(mechanism ? { mechanism } : {}),
          })
          process.stdout.write(`user ${name} set\n`)
        } else if (action === 'delete') {
          const deleted = await admin.deleteUser(name!)
          process.stdout.write(deleted ? `user ${name} deleted\n` : `no user ${name}; nothing deleted\n`)
        } else {
          const users = await admin.listUsers()
          if (values.json) printJson(userListJson(users))
          else
            process.stdout.write(
              table(
                ['user', 'mechanisms'],
                users.map((user) => [user.username, user.mechanisms.join(',')]),
              ),
            )
        }
        return exitCodes.ok
      } finally {
        await client.close()
      }
    }),
}
