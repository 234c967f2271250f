// `weir console`: serves the web console (@weir/console) for the --bootstrap cluster until
// Ctrl-C (exit 130) or SIGTERM (exit 0), and prints the URL to open.
import { defaultConsoleListen, parseListenAddress, startConsole } from '@weir/console'
import type { WeirError } from '@weir/protocol'
import { bootstrapHelp, connect, parseCommand, runCommand } from './client-flags.js'
import { type Command, exitCodes } from './command.js'
import { UsageError } from './flags.js'

const help = `Usage: weir console [--listen HOST:PORT] [--bootstrap HOST:PORT]

Serves a web console for the cluster: brokers with liveness, topics with partitions, leaders and
ISR, a message browser (by offset or time; values as msgpack, JSON, text or hex), consumer groups
with members, assignment and lag over time, and a form to produce a test message. Prints the URL;
runs until Ctrl-C.

It has no login of its own: anyone who reaches the port acts with this command's broker access
(pass --sasl-* to log in as a user with only the ACLs it needs). Keep it on 127.0.0.1.

Flags:
  --listen HOST:PORT      address to serve the console on (default ${defaultConsoleListen}; port 0 picks a free one)
${bootstrapHelp}
`

/** Ctrl-C ends the command the shell way: 128 + SIGINT. */
const interruptedExitCode = 130

export const consoleCommand: Command = {
  summary: 'serve the web console (brokers, topics, messages, groups with lag, produce) on --listen',
  run: (argv) =>
    runCommand('console', help, async () => {
      const { values, positionals } = parseCommand(argv, { listen: { type: 'string' } })
      if (values.help) {
        process.stdout.write(help)
        return exitCodes.ok
      }
      if (positionals.length > 0) throw new UsageError(`unexpected arguments: ${positionals.join(' ')}`)
      const listen = values.listen ?? defaultConsoleListen
      try {
        parseListenAddress(listen, '--listen')
      } catch (error) {
        throw new UsageError((error as WeirError).message)
      }
      // Reach the cluster once first: a wrong address fails here, not on the first page load.
      const probe = connect(values, 'weir-console')
      try {
        await probe.admin().describeCluster()
      } finally {
        await probe.close()
      }
      const server = await startConsole({ listen, newClient: () => connect(values, 'weir-console') })
      process.stdout.write(`weir console: serving ${server.url}\n`)
      const signal = await new Promise<NodeJS.Signals>((resolve) => {
        process.once('SIGINT', resolve)
        process.once('SIGTERM', resolve)
      })
      await server.close()
      return signal === 'SIGINT' ? interruptedExitCode : exitCodes.ok
    }),
}
