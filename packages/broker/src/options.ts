// Broker.start options and the weir.json file that carries the same fields. Everything is checked
// before a socket or file is opened; a bad value is INVALID_CONFIG naming the key.
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { checkTopicConfig, ErrorCodes, type TopicConfig, WeirError } from '@weir/protocol'
import type { Logger } from 'pino'
import type { AuthorizerConfig } from './acl/authorizer.js'
import { type AuthorizerOptions, resolveAuthorizer } from './acl/authorizer-options.js'
import {
  resolveSecurityOptions,
  resolveTlsOptions,
  type SaslMechanismOption,
  type SecurityOptions,
  type TlsListenerOptions,
} from './auth/security-options.js'
import { defaultClusterTiming } from './cluster/cluster-timing.js'
import {
  checkPeerSecurity,
  type PeerSecurityInput,
  type PeerTlsFiles,
  type PeerTlsOptions,
} from './cluster/peer-security.js'
import { checkPeers, type Peer, type PeerInput, parsePeers } from './cluster/peers.js'
import type { BrokerEnvironment } from './environment.js'
import { type GroupLimitsInput, resolveGroupLimits } from './groups/group-limits.js'
import { defaultGroupOptions, type GroupOptions } from './groups/group-options.js'
import { type IntegerRange, resolveIntegerOptions } from './integer-options.js'
import { type KafkaAddress, resolveKafkaAdvertise, resolveKafkaListen } from './kafka/kafka-listen.js'
import { type BrokerLimits, type BrokerLimitsInput, resolveLimits } from './limits.js'
import { parseListen } from './listen-address.js'
import { type MetricsAddress, resolveMetricsListen } from './metrics/metrics-listen.js'
import { mergeTopicConfig } from './topic-config.js'

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export type LogLevel = (typeof logLevels)[number]

export const defaultListen = '127.0.0.1:7171'

/** `authorizer` and `superUsers` (acl/authorizer-options.ts) are among the options. */
export interface BrokerOptions extends AuthorizerOptions {
  /** Directory of topics; created when missing, refused when it holds something that is not Weir's. */
  readonly dataDir: string
  /** `host:port` to bind; port 0 picks a free port (see `broker.address`). Default 127.0.0.1:7171. */
  readonly listen?: string
  /**
   * `host:port` of the HTTP listener for /metrics (Prometheus), /health and /ready, or `off`.
   * Default off for an embedded broker; `weir broker` defaults to 127.0.0.1:9171 (docs/metrics.md).
   */
  readonly metricsListen?: string
  /**
   * `host:port` of the Kafka-protocol listener (Kafka clients such as kcat and KafkaJS), or `off`
   * (the default). Same TLS and SASL settings as the client listener.
   */
  readonly kafkaListen?: string
  /** `host:port` Kafka clients are told in Metadata. Default: the kafkaListen address as bound. */
  readonly kafkaAdvertise?: string
  /** Host clients are told to connect to in Metadata; defaults to the bound host (127.0.0.1 for a wildcard). */
  readonly advertisedHost?: string
  /** This broker's id in Metadata (leader, replicas, controllerId). Default 1. */
  readonly brokerId?: number
  /** Ignored when `logger` is given. Default 'info'. */
  readonly logLevel?: LogLevel
  /** A pino logger to log into instead of the broker's own. */
  readonly logger?: Logger
  /** Bounds on clients (see BrokerLimits); the old `...Max` names are deprecated aliases. */
  readonly limits?: BrokerLimitsInput
  /** Config for topics created without these fields. */
  readonly topicDefaults?: TopicConfig
  /** Consumer groups: __consumer_offsets layout, compaction and the coordinator's limits. */
  readonly groups?: GroupOptionsInput
  /**
   * Every broker of the cluster, this one included: `1@10.0.0.1:7171,2@10.0.0.2:7171/7172,...`
   * (client port, then `/peer port`, which defaults to the client port + 1) or a list. Absent: a
   * broker alone, a cluster of one (the embedded default): every partition is a one-voter Raft
   * group, served by the same code as a cluster's, and no peer port is opened.
   */
  readonly peers?: string | readonly PeerInput[]
  /**
   * `host:port` of the peer listener (broker-to-broker traffic), in a cluster only. Default: the
   * listen host and this broker's peer port from `peers` (its client port + 1 unless written).
   */
  readonly peerListen?: string
  /** Mutual TLS between brokers: PEM of this broker's certificate, its key and the cluster's CA. */
  readonly peerTls?: Partial<PeerTlsOptions>
  /** The same as PEM files, read at start (weir.json's way to name them): `{ certFile, keyFile, caFile }`. */
  readonly peerTlsFiles?: Partial<PeerTlsFiles>
  /** Shared cluster secret (at least 32 bytes) when there is no peerTls; for embedding and tests. */
  readonly clusterSecret?: Buffer | string
  /** A file holding the shared cluster secret, read at start (`openssl rand -hex 32 > cluster.secret`). */
  readonly clusterSecretFile?: string
  /** Raft timing of a cluster: tick length, election/heartbeat timeouts in ticks, replica lag window. */
  readonly raft?: RaftTimingInput
  /**
   * A follower that has not answered its leader (append or heartbeat), or not held everything
   * committed, for this long leaves the in-sync replicas, idle partitions included (Kafka's
   * replica.lag.time.max.ms). Default 10000, from 100 to 600000. The same as raft.maxReplicaLagMs,
   * which it overrides.
   */
  readonly replicaLagTimeMs?: number
  /** TLS on the client listener (certificate files; `clientAuth: 'required'` for mTLS). Default: plain TCP. */
  readonly tls?: TlsListenerOptions
  /**
   * SASL on the client listener: `['scram-sha-256', 'scram-sha-512']` (PLAIN too, TLS connections
   * only), or the same comma-separated. Default: none (clients are not authenticated).
   */
  readonly saslMechanisms?: readonly SaslMechanismOption[] | string
  /** A file with one line `name:password`: that user is created at start when missing. Needs SASL. */
  readonly bootstrapUserFile?: string
  /**
   * Clock, timers, random, network and disk (default: Node's). The seeded simulation passes
   * virtual ones; an application has no reason to.
   */
  readonly environment?: BrokerEnvironment
}

export interface RaftTimingOptions {
  readonly tickMs: number
  readonly electionTicks: number
  readonly heartbeatTicks: number
  /** A follower that has not held everything committed for this long leaves the in-sync replicas. */
  readonly maxReplicaLagMs: number
}

/** `raft` in BrokerOptions and weir.json: any subset, the old name included. */
export type RaftTimingInput = Partial<RaftTimingOptions> & {
  /** @deprecated Use maxReplicaLagMs (the new name wins when both are given). */
  readonly replicaLagMaxMs?: number
}

/** `groups` in BrokerOptions and weir.json; every field optional. */
export type GroupOptionsInput = Partial<Omit<GroupOptions, 'limits'>> & {
  readonly limits?: GroupLimitsInput
}

/** The fields a weir.json may hold: BrokerOptions without the in-process logger. */
export const configFileKeys = [
  'dataDir',
  'listen',
  'advertisedHost',
  'brokerId',
  'logLevel',
  'limits',
  'topicDefaults',
  'groups',
  'peers',
  'peerListen',
  'clusterSecretFile',
  'peerTlsFiles',
  'raft',
  'replicaLagTimeMs',
  'authorizer',
  'superUsers',
  'tls',
  'saslMechanisms',
  'bootstrapUserFile',
  'metricsListen',
  'kafkaListen',
  'kafkaAdvertise',
] as const

export type ConfigFile = Partial<Omit<BrokerOptions, 'logger'>>

export interface ResolvedOptions {
  readonly dataDir: string
  readonly host: string
  readonly port: number
  readonly advertisedHost: string | undefined
  readonly brokerId: number
  readonly logLevel: LogLevel
  readonly limits: BrokerLimits
  readonly topicDefaults: TopicConfig
  readonly groups: GroupOptions
  /** Undefined for a broker alone (its cluster is itself). */
  readonly peers: readonly Peer[] | undefined
  /** Where the peer listener binds; undefined for a broker alone (no peer port). */
  readonly peerListen: { readonly host: string; readonly port: number } | undefined
  /** Where peer security comes from (checked; a secret file is read by Broker.start). */
  readonly peerSecurity: PeerSecurityInput
  readonly raft: RaftTimingOptions
  /** Open (today's behaviour) unless `authorizer: 'acl'`; super users bypass ACLs. */
  readonly authorizer: AuthorizerConfig
  /** Client listener TLS and SASL. */
  readonly security: SecurityOptions
  /** Where /metrics, /health and /ready are served; undefined: off. */
  readonly metricsListen: MetricsAddress
  /** Where the Kafka-protocol listener binds; undefined: off. */
  readonly kafkaListen: KafkaAddress | undefined
  /** What Metadata on the Kafka listener names as this broker; undefined: the bound address. */
  readonly kafkaAdvertise: KafkaAddress | undefined
}

function invalid(message: string): never {
  throw new WeirError('INVALID_CONFIG', message)
}

export { parseListen } from './listen-address.js'

export function checkLogLevel(value: unknown, key = 'logLevel'): LogLevel {
  if (typeof value !== 'string' || !(logLevels as readonly string[]).includes(value)) {
    invalid(`${key} must be one of ${logLevels.join(', ')}, got ${JSON.stringify(value)}`)
  }
  return value as LogLevel
}

export function resolveOptions(options: BrokerOptions): ResolvedOptions {
  if (typeof options.dataDir !== 'string' || options.dataDir === '')
    invalid('dataDir must be a non-empty path')
  const { host, port } = parseListen(options.listen ?? defaultListen)
  const brokerId = options.brokerId ?? 1
  // 0 is Raft's "no leader": every broker, a broker alone included, is a voter with an id of 1 or more.
  if (!Number.isInteger(brokerId) || brokerId < 1 || brokerId > 2 ** 31 - 1) {
    invalid(`brokerId must be an integer from 1 to ${2 ** 31 - 1}, got ${String(brokerId)}`)
  }
  if (options.advertisedHost !== undefined && typeof options.advertisedHost !== 'string') {
    invalid(`advertisedHost must be a host name, got ${JSON.stringify(options.advertisedHost)}`)
  }
  const topicDefaults = checkTopicConfig(options.topicDefaults, 'topicDefaults')
  try {
    mergeTopicConfig(topicDefaults, {})
  } catch (error) {
    // Storage names the log's key (maxBatchBytes) and appends the table's advice: name the key the
    // user wrote, and give the advice once.
    const detail = (error as Error).message
      .replace(`. ${ErrorCodes.INVALID_CONFIG.message}`, '')
      .replace(/^maxBatchBytes\b/, 'maxMessageBytes')
    invalid(`topicDefaults: ${detail}`)
  }
  const peers = resolvePeers(options.peers, brokerId, port)
  const peerSecurity = {
    peerTls: options.peerTls,
    peerTlsFiles: options.peerTlsFiles,
    clusterSecret: options.clusterSecret,
    clusterSecretFile:
      options.clusterSecretFile === undefined ? undefined : resolve(options.clusterSecretFile),
  }
  const inCluster = peers !== undefined && peers.length > 1
  if (inCluster) checkPeerSecurity(peerSecurity)
  else if (options.peerListen !== undefined) {
    invalid('peerListen is for a cluster (--peers with other brokers): a broker alone opens no peer port')
  }
  const kafkaListen = resolveKafkaListen(options.kafkaListen)
  if (options.kafkaAdvertise !== undefined && kafkaListen === undefined)
    invalid(
      'kafkaAdvertise is the address of the Kafka listener: set kafkaListen (--kafka-listen) too, or drop it',
    )
  return {
    dataDir: resolve(options.dataDir),
    host,
    port,
    advertisedHost: options.advertisedHost,
    brokerId,
    logLevel: checkLogLevel(options.logLevel ?? 'info'),
    limits: resolveLimits(options.limits),
    topicDefaults,
    groups: resolveGroupOptions(options.groups),
    peers,
    peerListen: inCluster
      ? resolvePeerListen(options.peerListen, host, peers.find((peer) => peer.id === brokerId)!)
      : undefined,
    peerSecurity,
    raft: resolveRaftTiming(options.raft, options.replicaLagTimeMs),
    authorizer: resolveAuthorizer(options),
    security: resolveSecurityOptions(options),
    metricsListen: resolveMetricsListen(options.metricsListen),
    kafkaListen,
    kafkaAdvertise: resolveKafkaAdvertise(options.kafkaAdvertise),
  }
}

/** The peer listener's address: as given, or the listen host on this broker's peer port from --peers. */
function resolvePeerListen(
  given: string | undefined,
  host: string,
  self: Peer,
): { host: string; port: number } {
  if (given === undefined) return { host, port: self.peerPort }
  const peerListen = parseListen(given, 'peerListen')
  if (peerListen.port !== 0 && peerListen.port !== self.peerPort) {
    invalid(
      `peers lists broker ${self.id}'s peer port as ${self.peerPort} but --peer-listen is ${given}; make them agree (write id@host:port/peerPort in --peers)`,
    )
  }
  return peerListen
}

function resolvePeers(given: BrokerOptions['peers'], brokerId: number, port: number): Peer[] | undefined {
  if (given === undefined) return undefined
  const peers = typeof given === 'string' ? parsePeers(given) : checkPeers(given)
  const self = peers.find((peer) => peer.id === brokerId)
  if (self === undefined) {
    invalid(
      `peers must include this broker's id ${brokerId} (set it with --id); got ids ${peers.map((peer) => peer.id).join(', ')}`,
    )
  }
  if (port !== 0 && self.port !== port) {
    invalid(
      `peers lists broker ${brokerId} on port ${self.port} but it listens on ${port}; make --listen and --peers agree`,
    )
  }
  return peers
}

const raftTimingRanges: Record<keyof RaftTimingOptions, IntegerRange> = {
  tickMs: [1, 10_000],
  electionTicks: [2, 1000],
  heartbeatTicks: [1, 1000],
  maxReplicaLagMs: [100, 600_000],
}

const raftTimingAliases: Readonly<Record<'replicaLagMaxMs', keyof RaftTimingOptions>> = {
  replicaLagMaxMs: 'maxReplicaLagMs',
}

function resolveRaftTiming(given: unknown, replicaLagTimeMs?: unknown): RaftTimingOptions {
  const table = {
    path: 'raft',
    noun: 'a Raft option',
    defaults: defaultClusterTiming,
    ranges: raftTimingRanges,
    deprecatedAliases: raftTimingAliases,
  }
  const resolved = resolveIntegerOptions(given, table)
  if (resolved.heartbeatTicks >= resolved.electionTicks)
    invalid('raft.heartbeatTicks must be below raft.electionTicks')
  if (replicaLagTimeMs === undefined) return resolved
  const [min, max] = raftTimingRanges.maxReplicaLagMs
  if (
    typeof replicaLagTimeMs !== 'number' ||
    !Number.isInteger(replicaLagTimeMs) ||
    replicaLagTimeMs < min ||
    replicaLagTimeMs > max
  )
    invalid(
      `replicaLagTimeMs must be an integer from ${min} to ${max}, got ${JSON.stringify(replicaLagTimeMs)}`,
    )
  return { ...resolved, maxReplicaLagMs: replicaLagTimeMs }
}

const groupOptionRanges: Record<Exclude<keyof GroupOptions, 'limits'>, IntegerRange> = {
  offsetsPartitions: [1, 1000],
  offsetsSegmentBytes: [1024 * 1024, 1024 * 1024 * 1024],
  compactionRecordsMin: [1, 100_000_000],
}

/** Fills defaults and checks `groups`; INVALID_CONFIG names the key and its range. */
export function resolveGroupOptions(given: unknown, path = 'groups'): GroupOptions {
  const { limits: defaultLimits, ...defaults } = defaultGroupOptions
  const table = { path, noun: 'a group option', defaults, ranges: groupOptionRanges, otherKeys: ['limits'] }
  if (given === undefined || given === null) return defaultGroupOptions
  // Not an object: resolveIntegerOptions throws INVALID_CONFIG listing the keys.
  if (typeof given !== 'object' || Array.isArray(given))
    return { ...resolveIntegerOptions(given, table), limits: defaultLimits }
  // `limits` is a table of its own; resolveIntegerOptions checks the rest.
  const { limits, ...integers } = given as { readonly limits?: GroupLimitsInput }
  return {
    ...resolveIntegerOptions(integers, table),
    limits: limits === undefined ? defaultLimits : resolveGroupLimits(limits, `${path}.limits`),
  }
}

/**
 * Reads a weir.json. Unknown keys and wrong types are INVALID_CONFIG naming the key; a relative
 * dataDir resolves against the file's directory, so the file means the same from anywhere.
 */
export async function readConfigFile(path: string): Promise<ConfigFile> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    throw new WeirError('INVALID_CONFIG', `cannot read config file ${path}: ${(error as Error).message}`)
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    throw new WeirError(
      'INVALID_CONFIG',
      `config file ${path} is not valid JSON: ${(error as Error).message}`,
    )
  }
  return checkConfigFile(parsed, path)
}

export function checkConfigFile(value: unknown, path: string): ConfigFile {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    invalid(`config file ${path} must hold a JSON object`)
  }
  const fields = value as Record<string, unknown>
  for (const key of Object.keys(fields)) {
    if (!(configFileKeys as readonly string[]).includes(key)) {
      invalid(`config file ${path}: unknown key ${JSON.stringify(key)}; known: ${configFileKeys.join(', ')}`)
    }
  }
  const stringKey = (key: string) => {
    const entry = fields[key]
    if (entry !== undefined && typeof entry !== 'string') {
      invalid(`config file ${path}: ${key} must be a string, got ${JSON.stringify(entry)}`)
    }
  }
  stringKey('dataDir')
  stringKey('listen')
  stringKey('advertisedHost')
  resolveMetricsListen(fields.metricsListen, `config file ${path}: metricsListen`)
  resolveKafkaListen(fields.kafkaListen, `config file ${path}: kafkaListen`)
  resolveKafkaAdvertise(fields.kafkaAdvertise, `config file ${path}: kafkaAdvertise`)
  if (fields.listen !== undefined) parseListen(fields.listen as string, `config file ${path}: listen`)
  if (fields.logLevel !== undefined) checkLogLevel(fields.logLevel, `config file ${path}: logLevel`)
  if (fields.brokerId !== undefined && !Number.isInteger(fields.brokerId)) {
    invalid(`config file ${path}: brokerId must be an integer, got ${JSON.stringify(fields.brokerId)}`)
  }
  resolveLimits(fields.limits, `config file ${path}: limits`)
  checkTopicConfig(fields.topicDefaults, `config file ${path}: topicDefaults`)
  resolveGroupOptions(fields.groups, `config file ${path}: groups`)
  if (fields.peers !== undefined && typeof fields.peers !== 'string' && !Array.isArray(fields.peers)) {
    invalid(
      `config file ${path}: peers must be "id@host:port[/peerPort],..." or a list of { id, host, port, peerPort? }`,
    )
  }
  if (typeof fields.peers === 'string') parsePeers(fields.peers, `config file ${path}: peers`)
  if (Array.isArray(fields.peers)) checkPeers(fields.peers, `config file ${path}: peers`)
  stringKey('peerListen')
  stringKey('clusterSecretFile')
  const peerTlsFiles = fields.peerTlsFiles as Record<string, unknown> | undefined
  if (peerTlsFiles !== undefined) {
    const keys = ['certFile', 'keyFile', 'caFile']
    if (
      typeof peerTlsFiles !== 'object' ||
      peerTlsFiles === null ||
      Object.keys(peerTlsFiles).some((key) => !keys.includes(key)) ||
      keys.some((key) => typeof peerTlsFiles[key] !== 'string' || peerTlsFiles[key] === '')
    ) {
      invalid(
        `config file ${path}: peerTlsFiles must be { "certFile": "...", "keyFile": "...", "caFile": "..." } (PEM paths, relative to the file)`,
      )
    }
  }
  if (fields.peerListen !== undefined)
    parseListen(fields.peerListen as string, `config file ${path}: peerListen`)
  resolveRaftTiming(fields.raft, fields.replicaLagTimeMs)
  resolveAuthorizer(fields, `config file ${path}: `)
  const security = resolveSecurityOptions({
    tls: resolveTlsOptions(fields.tls, `config file ${path}: tls`),
    saslMechanisms: fields.saslMechanisms,
    bootstrapUserFile: fields.bootstrapUserFile,
  })
  // Paths in the file mean the same from anywhere: relative to the file's directory.
  const here = (file: string) => resolve(resolve(path, '..'), file)
  const config = { ...fields } as { -readonly [K in keyof ConfigFile]: ConfigFile[K] }
  if (security.tls !== undefined) {
    const { certFile, keyFile, caFile, clientAuth } = security.tls
    config.tls = {
      certFile: here(certFile),
      keyFile: here(keyFile),
      ...(caFile === undefined ? {} : { caFile: here(caFile) }),
      clientAuth,
    }
  }
  if (security.bootstrapUserFile !== undefined) config.bootstrapUserFile = here(security.bootstrapUserFile)
  if (typeof config.clusterSecretFile === 'string') config.clusterSecretFile = here(config.clusterSecretFile)
  if (peerTlsFiles !== undefined) {
    const files = peerTlsFiles as unknown as PeerTlsFiles
    config.peerTlsFiles = {
      certFile: here(files.certFile),
      keyFile: here(files.keyFile),
      caFile: here(files.caFile),
    }
  }
  if (typeof config.dataDir === 'string') config.dataDir = here(config.dataDir)
  return config
}
