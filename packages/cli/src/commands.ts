// The `weir` subcommands, by name. Each lives in its own file and returns its exit code (see
// command.ts). To add one, write src/<name>-command.ts exporting a Command and add a line here.
// The client-side commands talk to a broker through @weir/client, like any application.
// `broker` is loaded only when run: @weir/broker takes seconds to import on a busy machine, and a
// client command (`weir consume nope`) must answer well within 2 s.
import { aclCommand } from './acl-command.js'
import { brokerSummary } from './broker-summary.js'
import { clusterCommand } from './cluster-command.js'
import type { Command } from './command.js'
import { consoleCommand } from './console-command.js'
import { consumeCommand } from './consume-command.js'
import { groupsCommand } from './groups-command.js'
import { produceCommand } from './produce-command.js'
import { topicsCommand } from './topics-command.js'
import { usersCommand } from './users-command.js'

const brokerCommand: Command = {
  summary: brokerSummary,
  run: async (argv) => (await import('./broker-command.js')).brokerCommand.run(argv),
}

export const commands: Readonly<Record<string, Command>> = {
  broker: brokerCommand,
  topics: topicsCommand,
  produce: produceCommand,
  consume: consumeCommand,
  groups: groupsCommand,
  cluster: clusterCommand,
  acl: aclCommand,
  users: usersCommand,
  console: consoleCommand,
}
