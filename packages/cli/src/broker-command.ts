// `weir broker`: runs a broker in the foreground until SIGINT or SIGTERM, then closes it
// gracefully and exits 0. Flags override the config file; the config file overrides defaults.
// The only file of the CLI that imports @weir/broker: every other command is a client of a broker
// over the network, through @weir/client, like any application (the rule in .ci/check-dependencies.mjs).
import {
  Broker,
  type BrokerOptions,
  type ConfigFile,
  checkLogLevel,
  defaultListen,
  parseListen,
  parsePeers,
  readConfigFile,
} from '@weir/broker'
import { isWeirError } from '@weir/protocol'
import type { Command } from './command.js'
import { exitCodes } from './command.js'
import { parseFlags, UsageError, userPath } from './flags.js'
import { integerFlag } from './numeric-flags.js'

const help = `Usage: weir broker [flags]

Runs a Weir broker in the foreground; Ctrl-C (SIGINT) or SIGTERM closes it cleanly.

Flags:
  --listen HOST:PORT   address to bind (default ${defaultListen}; port 0 picks a free port)
  --data-dir DIR       where topics are stored (default ./data, relative to where you ran the command)
  --config FILE        a weir.json with any of dataDir, listen, advertisedHost, brokerId, logLevel,
                       limits, topicDefaults, groups, peers, raft (flags win over the file)
  --log-level LEVEL    fatal, error, warn, info, debug, trace or silent (default info)
  --id N               this broker's id, 1 or more (default 1)
  --peers LIST         run as one broker of a Raft cluster: every broker as id@host:port,
                       this one included, e.g. 1@127.0.0.1:7171,2@127.0.0.1:7172,3@127.0.0.1:7173
                       (give every broker the same list; see the README's Cluster section)
  -h, --help           show this help
`

const flagOptions = {
  listen: { type: 'string' },
  'data-dir': { type: 'string' },
  config: { type: 'string' },
  'log-level': { type: 'string' },
  id: { type: 'string' },
  peers: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const

export const brokerCommand: Command = {
  summary: 'run a broker in the foreground (--listen, --data-dir, --config, --log-level, --id, --peers)',
  async run(argv) {
    let options: BrokerOptions
    try {
      const flags = parseFlags(argv, flagOptions)
      if (flags.help) {
        process.stdout.write(help)
        return exitCodes.ok
      }
      const file: ConfigFile = flags.config === undefined ? {} : await readConfigFile(userPath(flags.config))
      options = brokerOptions(flags, file)
    } catch (error) {
      if (error instanceof UsageError) {
        process.stderr.write(`weir broker: ${error.message}\n\n${help}`)
        return exitCodes.usage
      }
      if (isWeirError(error, 'INVALID_CONFIG')) {
        process.stderr.write(`weir broker: ${error.message}\n`)
        return exitCodes.usage
      }
      throw error
    }
    return runBroker(options)
  },
}

function brokerOptions(
  flags: { listen?: string; 'data-dir'?: string; 'log-level'?: string; id?: string; peers?: string },
  file: ConfigFile,
): BrokerOptions {
  if (flags.listen !== undefined) checkFlag(() => parseListen(flags.listen!, '--listen'))
  if (flags['log-level'] !== undefined) checkFlag(() => checkLogLevel(flags['log-level'], '--log-level'))
  const brokerId = integerFlag(flags.id, '--id')
  return {
    ...file,
    dataDir:
      flags['data-dir'] !== undefined ? userPath(flags['data-dir']) : (file.dataDir ?? userPath('data')),
    ...(flags.listen !== undefined ? { listen: flags.listen } : {}),
    ...(flags['log-level'] !== undefined ? { logLevel: checkLogLevel(flags['log-level']) } : {}),
    ...(brokerId !== undefined ? { brokerId } : {}),
    ...(flags.peers !== undefined ? { peers: checkFlag(() => parsePeers(flags.peers!, '--peers')) } : {}),
  }
}

function checkFlag<T>(check: () => T): T {
  try {
    return check()
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
}

async function runBroker(options: BrokerOptions): Promise<number> {
  let broker: Broker
  try {
    broker = await Broker.start(options)
  } catch (error) {
    process.stderr.write(`weir broker: ${(error as Error).message}\n`)
    // Not a passing failure: starting again gets the same answer until the other broker stops.
    return isWeirError(error, 'DATA_DIRECTORY_LOCKED') ? exitCodes.usage : exitCodes.failure
  }
  return new Promise<number>((resolve) => {
    let signals = 0
    const stop = (signal: NodeJS.Signals) => {
      signals++
      if (signals > 1) {
        broker.logger.warn({ signal }, 'second signal: exiting without waiting for a clean close')
        process.exit(exitCodes.failure)
      }
      broker.logger.info({ signal }, 'signal received, closing')
      broker.close().then(
        () => resolve(exitCodes.ok),
        (error: unknown) => {
          broker.logger.error({ err: error }, 'close failed')
          resolve(exitCodes.failure)
        },
      )
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  })
}
