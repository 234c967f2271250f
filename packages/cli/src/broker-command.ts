// `weir broker`: runs a broker in the foreground until SIGINT or SIGTERM, then closes it
// gracefully and exits 0. Flags override the config file; the config file overrides defaults.
// The only file of the CLI that imports @weir/broker: every other command is a client of a broker
// over the network, through @weir/client, like any application (the rule in .ci/check-dependencies.mjs).

import { readFile } from 'node:fs/promises'
import {
  Broker,
  type BrokerOptions,
  type ConfigFile,
  checkLogLevel,
  defaultListen,
  defaultMetricsListen,
  parseListen,
  parsePeers,
  readConfigFile,
  resolveKafkaAdvertise,
  resolveKafkaListen,
  resolveMetricsListen,
} from '@weir/broker'
import { isWeirError, WeirError } from '@weir/protocol'
import { checkConsoleListen, startBrokerConsole } from './broker-console.js'
import { brokerDrainCommand } from './broker-drain-command.js'
import { type SecurityFlags, securityFlags } from './broker-security-flags.js'
import { brokerSummary } from './broker-summary.js'
import type { Command } from './command.js'
import { exitCodes, usageHint } from './command.js'
import { parseFlags, UsageError, userPath } from './flags.js'
import { integerFlag } from './numeric-flags.js'

const help = `Usage: weir broker [flags]
       weir broker drain|undrain ID   (see weir broker drain --help)

Runs a Weir broker in the foreground; Ctrl-C (SIGINT) or SIGTERM closes it cleanly (in a
cluster, after handing the partitions it leads to other brokers), then exits 130 after Ctrl-C
and 0 after SIGTERM.

Flags:
  --listen HOST:PORT   address to bind (default ${defaultListen}; port 0 picks a free port)
  --metrics-listen HOST:PORT
                       HTTP address of /metrics (Prometheus), /health and /ready (default
                       ${defaultMetricsListen}; off to serve none). A busy default port is only a
                       warning (several brokers on one host); docs/metrics.md lists the metrics
  --kafka-listen HOST:PORT
                       also speak the Kafka protocol here (kcat, KafkaJS, librdkafka), e.g.
                       127.0.0.1:9092; off by default. Same TLS and SASL as --listen; see docs/kafka.md
  --kafka-advertise HOST:PORT
                       the address Kafka clients are told to connect to (default: the bound
                       --kafka-listen address); e.g. the name a container is reached by from outside
  --data-dir DIR       where topics are stored (default ./data, relative to where you ran the command)
  --advertised-host H  the host name clients are told to connect to (default: the --listen host,
                       or this machine's name when that is 0.0.0.0); e.g. the name a container
                       is reached by from outside
  --config FILE        a weir.json with any of dataDir, listen, advertisedHost, brokerId, logLevel,
                       limits, topicDefaults, groups, peers, peerListen, clusterSecretFile,
                       peerTlsFiles, raft, replicaLagTimeMs, authorizer, superUsers, tls, saslMechanisms,
                       bootstrapUserFile, metricsListen, kafkaListen, kafkaAdvertise
                       (flags win over the file)
  --log-level LEVEL    fatal, error, warn, info, debug, trace or silent (default info)
  --id N               this broker's id, 1 or more (default 1)
  --peers LIST         run as one broker of a Raft cluster: every broker as id@host:port[/peerPort],
                       this one included, e.g. 1@10.0.0.1:7171,2@10.0.0.2:7171,3@10.0.0.3:7171
                       (give every broker the same list; see the README's Cluster section). The
                       peer port (default: port + 1) takes broker-to-broker traffic only
  --peer-listen HOST:PORT
                       address of the peer listener (default: the --listen host on this broker's
                       peer port). A broker without --peers opens no peer port
  --peer-tls-cert FILE, --peer-tls-key FILE, --peer-tls-ca FILE
                       brokers authenticate each other by mutual TLS: this broker's certificate
                       and key, and the CA every broker's certificate is signed by
  --cluster-secret-file FILE
                       without peer TLS: a secret shared by every broker (32 bytes or more),
                       proven by an HMAC challenge, never sent. Make one with
                       openssl rand -hex 32 > cluster.secret
                       A cluster needs --peer-tls-* or --cluster-secret-file
  --replica-lag-time-ms MS
                       a follower that has not answered its leader or not held everything
                       committed for this long leaves the in-sync replicas, idle partitions
                       included (default 10000)
  --authorizer acl     deny every request no ACL allows (see \`weir acl\`); without it the broker
                       is open to anyone who can reach it
  --super-users LIST   principals that bypass ACLs, e.g. User:admin,User:ops
  --tls-cert FILE      serve clients over TLS with this certificate (PEM); needs --tls-key
  --tls-key FILE       its private key (PEM)
  --tls-ca FILE        CA (PEM) that client certificates must chain to
  --tls-client-auth M  required: every client presents a certificate (its subject is the
                       principal); none (default)
  --sasl-mechanisms L  authenticate clients: scram-sha-256,scram-sha-512 (and plain, TLS only)
  --bootstrap-user-file FILE
                       one line name:password; that user is created at start when missing
  --console-listen HOST:PORT
                       also serve the web console (see \`weir console\`) on this address, e.g.
                       127.0.0.1:9172; off by default. It has no login: keep it on loopback
  -h, --help           show this help
`

const flagOptions = {
  listen: { type: 'string' },
  'metrics-listen': { type: 'string' },
  'kafka-listen': { type: 'string' },
  'kafka-advertise': { type: 'string' },
  'data-dir': { type: 'string' },
  'advertised-host': { type: 'string' },
  config: { type: 'string' },
  'log-level': { type: 'string' },
  id: { type: 'string' },
  peers: { type: 'string' },
  'peer-listen': { type: 'string' },
  'peer-tls-cert': { type: 'string' },
  'peer-tls-key': { type: 'string' },
  'peer-tls-ca': { type: 'string' },
  'cluster-secret-file': { type: 'string' },
  authorizer: { type: 'string' },
  'super-users': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'tls-ca': { type: 'string' },
  'tls-client-auth': { type: 'string' },
  'sasl-mechanisms': { type: 'string' },
  'bootstrap-user-file': { type: 'string' },
  'replica-lag-time-ms': { type: 'string' },
  'console-listen': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const

export const brokerCommand: Command = {
  summary: brokerSummary,
  async run(argv) {
    // `weir broker drain|undrain ID` manage a running broker; anything else runs one.
    if (argv[0] === 'drain' || argv[0] === 'undrain') return brokerDrainCommand.run(argv)
    let options: BrokerOptions
    let consoleListen: string | undefined
    try {
      const flags = parseFlags(argv, flagOptions)
      if (flags.help) {
        process.stdout.write(help)
        return exitCodes.ok
      }
      const file: ConfigFile = flags.config === undefined ? {} : await readConfigFile(userPath(flags.config))
      options = { ...brokerOptions(flags, file), ...(await peerSecurityOptions(flags)) }
      consoleListen = checkConsoleListen(flags['console-listen'], options)
    } catch (error) {
      if (error instanceof UsageError) {
        process.stderr.write(`weir broker: ${error.message}\n${usageHint('broker')}\n`)
        return exitCodes.usage
      }
      if (isWeirError(error, 'INVALID_CONFIG')) {
        process.stderr.write(`weir broker: ${error.message}\n`)
        return exitCodes.usage
      }
      throw error
    }
    return runBroker(options, consoleListen)
  },
}

function brokerOptions(
  flags: {
    listen?: string
    'metrics-listen'?: string
    'kafka-listen'?: string
    'kafka-advertise'?: string
    'data-dir'?: string
    'advertised-host'?: string
    'log-level'?: string
    id?: string
    peers?: string
    authorizer?: string
    'super-users'?: string
    'replica-lag-time-ms'?: string
  } & SecurityFlags,
  file: ConfigFile,
): BrokerOptions {
  if (flags.listen !== undefined) checkFlag(() => parseListen(flags.listen!, '--listen'))
  const metricsListen = flags['metrics-listen'] ?? file.metricsListen ?? defaultMetricsListen
  checkFlag(() => resolveMetricsListen(metricsListen, '--metrics-listen'))
  if (flags['kafka-listen'] !== undefined)
    checkFlag(() => resolveKafkaListen(flags['kafka-listen'], '--kafka-listen'))
  if (flags['kafka-advertise'] !== undefined) {
    checkFlag(() => resolveKafkaAdvertise(flags['kafka-advertise'], '--kafka-advertise'))
    const kafkaListen = flags['kafka-listen'] ?? file.kafkaListen
    if (kafkaListen === undefined || kafkaListen === 'off')
      throw new UsageError(
        '--kafka-advertise is the address of the Kafka listener: add --kafka-listen HOST:PORT',
      )
  }
  if (flags['log-level'] !== undefined) checkFlag(() => checkLogLevel(flags['log-level'], '--log-level'))
  const brokerId = integerFlag(flags.id, '--id')
  const replicaLagTimeMs = integerFlag(flags['replica-lag-time-ms'], '--replica-lag-time-ms')
  return {
    ...file,
    dataDir:
      flags['data-dir'] !== undefined ? userPath(flags['data-dir']) : (file.dataDir ?? userPath('data')),
    ...(flags.listen !== undefined ? { listen: flags.listen } : {}),
    metricsListen,
    ...(flags['kafka-listen'] !== undefined ? { kafkaListen: flags['kafka-listen'] } : {}),
    ...(flags['kafka-advertise'] !== undefined ? { kafkaAdvertise: flags['kafka-advertise'] } : {}),
    ...(flags['advertised-host'] !== undefined ? { advertisedHost: hostFlag(flags['advertised-host']) } : {}),
    ...(flags['log-level'] !== undefined ? { logLevel: checkLogLevel(flags['log-level']) } : {}),
    ...(brokerId !== undefined ? { brokerId } : {}),
    ...(replicaLagTimeMs !== undefined ? { replicaLagTimeMs } : {}),
    ...(flags.peers !== undefined ? { peers: checkFlag(() => parsePeers(flags.peers!, '--peers')) } : {}),
    ...authorizerFlags(flags.authorizer, flags['super-users']),
    ...securityFlags(flags, file),
  }
}

/** --advertised-host: a bare host name or address, no port (clients get the --listen port). */
function hostFlag(value: string): string {
  const ipv6 = /^[0-9a-fA-F:]+$/
  if (value === '' || /[\s/]/.test(value) || (value.includes(':') && !ipv6.test(value)))
    throw new UsageError(
      `--advertised-host must be a host name or address without a port, got ${JSON.stringify(value)}`,
    )
  return value
}

function authorizerFlags(
  authorizer: string | undefined,
  superUsers: string | undefined,
): Partial<BrokerOptions> {
  if (authorizer !== undefined && authorizer !== 'acl')
    throw new UsageError(`--authorizer must be acl, got ${JSON.stringify(authorizer)}`)
  const principals = superUsers?.split(',').map((entry) => entry.trim())
  if (principals?.some((principal) => !/^User:.+$/s.test(principal)))
    throw new UsageError(
      `--super-users must be principals like User:admin,User:ops, got ${JSON.stringify(superUsers)}`,
    )
  return {
    ...(authorizer !== undefined ? { authorizer } : {}),
    ...(superUsers !== undefined ? { superUsers } : {}),
  }
}

type PeerSecurityFlags = {
  'peer-listen'?: string
  'peer-tls-cert'?: string
  'peer-tls-key'?: string
  'peer-tls-ca'?: string
  'cluster-secret-file'?: string
}

/** --peer-listen, and the peer TLS files read into PEM (the broker checks that all three are there). */
async function peerSecurityOptions(flags: PeerSecurityFlags): Promise<Partial<BrokerOptions>> {
  if (flags['peer-listen'] !== undefined) checkFlag(() => parseListen(flags['peer-listen']!, '--peer-listen'))
  const pem = async (flag: 'peer-tls-cert' | 'peer-tls-key' | 'peer-tls-ca') => {
    const path = flags[flag]
    if (path === undefined) return undefined
    try {
      return await readFile(userPath(path))
    } catch (error) {
      throw new WeirError('INVALID_CONFIG', `--${flag}: cannot read ${path}: ${(error as Error).message}`)
    }
  }
  const [cert, key, ca] = await Promise.all([pem('peer-tls-cert'), pem('peer-tls-key'), pem('peer-tls-ca')])
  const tls = cert !== undefined || key !== undefined || ca !== undefined
  return {
    ...(flags['peer-listen'] !== undefined ? { peerListen: flags['peer-listen'] } : {}),
    ...(tls ? { peerTls: { cert, key, ca } } : {}),
    ...(flags['cluster-secret-file'] !== undefined
      ? { clusterSecretFile: userPath(flags['cluster-secret-file']) }
      : {}),
  }
}

function checkFlag<T>(check: () => T): T {
  try {
    return check()
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
}

async function runBroker(options: BrokerOptions, consoleListen: string | undefined): Promise<number> {
  let broker: Broker
  try {
    broker = await Broker.start(options)
  } catch (error) {
    process.stderr.write(`weir broker: ${(error as Error).message}\n`)
    // Not a passing failure: starting again gets the same answer until the other broker stops.
    return isWeirError(error, 'DATA_DIRECTORY_LOCKED') ? exitCodes.usage : exitCodes.failure
  }
  let webConsole: Awaited<ReturnType<typeof startBrokerConsole>> | undefined
  if (consoleListen !== undefined) {
    try {
      webConsole = await startBrokerConsole(consoleListen, broker.address)
      broker.logger.info({ url: webConsole.url }, `web console on ${webConsole.url}`)
    } catch (error) {
      process.stderr.write(`weir broker: ${(error as Error).message}\n`)
      await broker.close()
      return exitCodes.failure
    }
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
      const consoleClosed = webConsole?.close() ?? Promise.resolve()
      consoleClosed
        .then(() => broker.close())
        .then(
          () => resolve(signal === 'SIGINT' ? exitCodes.interrupted : exitCodes.ok),
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
