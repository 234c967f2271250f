// `weir acl add|remove|list`: ACL administration through the client (admin.createAcls,
// deleteAcls, describeAcls). The broker commits each change to the controller log, so every
// broker enforces it on its next request, without a restart.
import type { AclBinding } from '@weir/client'
import { type AclFlagValues, bindingFromFlags, filterFromFlags } from './acl-flags.js'
import { bootstrapHelp, connect, parseCommand, runCommand } from './client-flags.js'
import type { Command } from './command.js'
import { exitCodes } from './command.js'
import { UsageError } from './flags.js'
import { aclListJson, printJson } from './json-output.js'
import { table } from './table.js'

const help = `Usage:
  weir acl add --principal User:NAME --operation OP (--topic NAME | --group NAME | --cluster) [--prefixed] [--deny] [--host IP]
  weir acl remove [the same flags: each one given narrows what is removed]
  weir acl list [the same flags: each one given narrows what is listed] [--json]

Bindings take effect once the broker runs with --authorizer acl: then everything not allowed is
denied, a deny beats any allow, and --super-users bypass every binding. Managing ACLs needs
Alter on the cluster (listing them, Describe). Operations: Read, Write, Create, Delete, Alter,
Describe, ClusterAction, All (Read, Write, Delete and Alter imply Describe).

Flags:
  --principal User:NAME   who (User:* for everyone, anonymous clients included)
  --operation OP          what (case does not matter)
  --topic NAME            on a topic (* for every topic)
  --group NAME            on a consumer group (* for every group)
  --cluster               on the cluster (creating topics, InitProducerId, managing ACLs)
  --prefixed              NAME is a prefix: every topic or group whose name starts with it
  --deny                  a deny binding (add: instead of allow; remove/list: only denies)
  --allow                 remove/list: only allow bindings
  --host IP               only for clients connecting from this address (default any)
  --json                  list: machine-readable output (shapes in the README)
${bootstrapHelp}
`

const flagOptions = {
  principal: { type: 'string' },
  operation: { type: 'string' },
  topic: { type: 'string' },
  group: { type: 'string' },
  cluster: { type: 'boolean' },
  prefixed: { type: 'boolean' },
  deny: { type: 'boolean' },
  allow: { type: 'boolean' },
  host: { type: 'string' },
  json: { type: 'boolean' },
} as const

export const aclCommand: Command = {
  summary: 'add, remove or list ACL bindings (who may do what on which topic, group or the cluster)',
  run: (argv) =>
    runCommand('acl', help, async () => {
      const { values, positionals } = parseCommand(argv, flagOptions)
      if (values.help) {
        process.stdout.write(help)
        return exitCodes.ok
      }
      const [action, ...extra] = positionals
      if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`)
      if (action === undefined) throw new UsageError('missing action: add, remove or list')
      if (action !== 'add' && action !== 'remove' && action !== 'list')
        throw new UsageError(`unknown action ${JSON.stringify(action)}`)
      const flags: AclFlagValues = values
      // Checked before connecting: a usage error never waits on a broker.
      const binding = action === 'add' ? bindingFromFlags(flags) : undefined
      const filter = filterFromFlags(flags)
      if (action === 'remove' && Object.keys(filter).length === 0)
        throw new UsageError('acl remove needs at least one flag (it would remove every binding)')
      const client = connect(values, 'weir-cli')
      try {
        const admin = client.admin()
        if (binding !== undefined) {
          await admin.createAcls([binding])
          process.stdout.write(`added ${describe(binding)}\n`)
        } else if (action === 'remove') {
          const removed = await admin.deleteAcls([filter])
          process.stdout.write(`removed ${removed.length} binding${removed.length === 1 ? '' : 's'}\n`)
          if (removed.length > 0) process.stdout.write(listing(removed))
        } else {
          const bindings = sorted(await admin.describeAcls(filter))
          if (values.json) printJson(aclListJson(bindings))
          else process.stdout.write(listing(bindings))
        }
        return exitCodes.ok
      } finally {
        await client.close()
      }
    }),
}

function describe(binding: AclBinding): string {
  const resource = `${binding.resourceType}:${binding.resourceName}${binding.patternType === 'prefixed' ? '*' : ''}`
  return `${binding.permission} ${binding.principal} ${binding.operation} on ${resource} from ${binding.host}`
}

function sorted(bindings: readonly AclBinding[]): AclBinding[] {
  return [...bindings].sort((left, right) => describe(left).localeCompare(describe(right)))
}

function listing(bindings: readonly AclBinding[]): string {
  return table(
    ['principal', 'permission', 'operation', 'resource', 'name', 'pattern', 'host'],
    sorted(bindings).map((binding) => [
      binding.principal,
      binding.permission,
      binding.operation,
      binding.resourceType,
      binding.resourceName,
      binding.patternType,
      binding.host,
    ]),
  )
}
