// The `weir` subcommands, by name. Each lives in its own file and returns its exit code:
// 0 success, 1 a runtime failure (broker unreachable, port in use), 2 a usage error (bad flag).
// To add one, write src/<name>-command.ts and add a line here. The client-side commands
// (topics, produce, consume) talk to a broker through @weir/client, like any application.
import { brokerCommand } from './broker-command.js'
import { clusterCommand } from './cluster-command.js'
import { consumeCommand } from './consume-command.js'
import { groupsCommand } from './groups-command.js'
import { produceCommand } from './produce-command.js'
import { topicsCommand } from './topics-command.js'

export interface Command {
  /** One line for `weir --help`. */
  readonly summary: string
  /** Runs with the arguments after the command name; resolves with the process exit code. */
  run(argv: readonly string[]): Promise<number>
}

export const commands: Readonly<Record<string, Command>> = {
  broker: brokerCommand,
  topics: topicsCommand,
  produce: produceCommand,
  consume: consumeCommand,
  groups: groupsCommand,
  cluster: clusterCommand,
}
