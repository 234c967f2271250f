// The `weir` subcommands, by name. Each lives in its own file and returns its exit code (see
// command.ts). To add one, write src/<name>-command.ts exporting a Command and add a line here.
// The client-side commands talk to a broker through @weir/client, like any application.
import { aclCommand } from './acl-command.js'
import { brokerCommand } from './broker-command.js'
import { clusterCommand } from './cluster-command.js'
import type { Command } from './command.js'
import { consoleCommand } from './console-command.js'
import { consumeCommand } from './consume-command.js'
import { groupsCommand } from './groups-command.js'
import { produceCommand } from './produce-command.js'
import { topicsCommand } from './topics-command.js'
import { usersCommand } from './users-command.js'

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
