// The Prometheus registry of one broker. Two kinds of figures: counters and histograms the
// connections and the fsync rounds feed as things happen (a few increments per request), and
// gauges read from the broker's live state only when scraped (refresh), so an idle partition costs
// nothing between scrapes. Every family is listed in docs/metrics.md.
import { apiByKey } from '@weir/protocol'
import type { SyncObserver } from '@weir/storage'
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'
import type { Readiness } from './readiness.js'
import type { StateSnapshot } from './state-snapshot.js'

/** What a connection tells the metrics about its traffic; `now` is a monotonic clock in ms. */
export interface TrafficObserver {
  readonly now: () => number
  bytesReceived(listener: string, bytes: number): void
  bytesSent(listener: string, bytes: number): void
  requestAnswered(listener: string, apiKey: number, durationMs: number): void
  /** A request on the Kafka listener, by Kafka API name (only APIs it serves: a bounded label set). */
  kafkaRequestAnswered(apiName: string, durationMs: number): void
}

/** Request latency buckets, seconds: a local fsync'd produce is ~1 ms, a long poll up to ~30 s. */
const requestBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
/** fsync latency buckets, seconds: from page-cache-only tmpfs to a slow network disk. */
const fsyncBuckets = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1]

const partitionLabels = ['topic', 'partition'] as const

export class BrokerMetrics implements TrafficObserver {
  readonly registry = new Registry()
  readonly now: () => number
  private readonly requests: Counter<'api' | 'listener'>
  private readonly requestSeconds: Histogram<'api' | 'listener'>
  private readonly bytesIn: Counter<'listener'>
  private readonly bytesOut: Counter<'listener'>
  private readonly fsyncSeconds: Histogram
  private readonly gauges: {
    readonly logStart: Gauge<'topic' | 'partition'>
    readonly logEnd: Gauge<'topic' | 'partition'>
    readonly highWatermark: Gauge<'topic' | 'partition'>
    readonly sizeBytes: Gauge<'topic' | 'partition'>
    readonly raftRole: Gauge<'topic' | 'partition' | 'role'>
    readonly raftTerm: Gauge<'topic' | 'partition'>
    readonly raftCommitIndex: Gauge<'topic' | 'partition'>
    readonly replicas: Gauge<'topic' | 'partition'>
    readonly inSync: Gauge<'topic' | 'partition'>
    readonly underReplicated: Gauge
    readonly ledPartitions: Gauge
    readonly groupOffset: Gauge<'group' | 'topic' | 'partition'>
    readonly groupLag: Gauge<'group' | 'topic' | 'partition'>
    readonly connections: Gauge
    readonly ready: Gauge
    readonly controller: Gauge
  }

  constructor(brokerId: number, now: () => number = () => performance.now()) {
    this.now = now
    const registers = [this.registry]
    this.registry.setDefaultLabels({ broker: String(brokerId) })
    collectDefaultMetrics({ register: this.registry, prefix: 'weir_' })
    this.requests = new Counter({
      name: 'weir_requests_total',
      help: 'Requests answered, by API (Produce, Fetch, ...) and listener (client or peer).',
      labelNames: ['api', 'listener'],
      registers,
    })
    this.requestSeconds = new Histogram({
      name: 'weir_request_duration_seconds',
      help: 'Time from a request being read to its response being ready, by API and listener (long polls included).',
      labelNames: ['api', 'listener'],
      buckets: requestBuckets,
      registers,
    })
    this.bytesIn = new Counter({
      name: 'weir_network_received_bytes_total',
      help: 'Bytes read from connections, by listener.',
      labelNames: ['listener'],
      registers,
    })
    this.bytesOut = new Counter({
      name: 'weir_network_sent_bytes_total',
      help: 'Response bytes written to connections, by listener.',
      labelNames: ['listener'],
      registers,
    })
    this.fsyncSeconds = new Histogram({
      name: 'weir_log_fsync_duration_seconds',
      help: "One partition log's fsync in a group-commit round.",
      buckets: fsyncBuckets,
      registers,
    })
    const partitionGauge = (name: string, help: string) =>
      new Gauge({ name, help, labelNames: partitionLabels, registers })
    const groupGauge = (name: string, help: string) =>
      new Gauge({ name, help, labelNames: ['group', 'topic', 'partition'] as const, registers })
    this.gauges = {
      logStart: partitionGauge(
        'weir_log_start_offset',
        'First offset held by the partition replica on this broker.',
      ),
      logEnd: partitionGauge(
        'weir_log_end_offset',
        'Next offset the replica on this broker will write (committed or not).',
      ),
      highWatermark: partitionGauge(
        'weir_log_high_watermark',
        'First offset consumers cannot read yet (committed by a majority).',
      ),
      sizeBytes: partitionGauge('weir_log_size_bytes', "Bytes of the replica's segments on disk."),
      raftRole: new Gauge({
        name: 'weir_raft_role',
        help: "1 for the Raft role this broker's replica of the group has now (follower, preCandidate, candidate, leader), 0 for the others.",
        labelNames: ['topic', 'partition', 'role'] as const,
        registers,
      }),
      raftTerm: partitionGauge('weir_raft_term', "Raft term of this broker's replica of the group."),
      raftCommitIndex: partitionGauge(
        'weir_raft_commit_index',
        'Raft index of the last entry known committed.',
      ),
      replicas: partitionGauge(
        'weir_partition_replicas',
        'Replicas assigned to the partition (Raft voters).',
      ),
      inSync: partitionGauge(
        'weir_partition_in_sync_replicas',
        'In-sync replicas, leader included; reported by the leader only.',
      ),
      underReplicated: new Gauge({
        name: 'weir_under_replicated_partitions',
        help: 'Partitions led by this broker with fewer in-sync replicas than replicas.',
        registers,
      }),
      ledPartitions: new Gauge({
        name: 'weir_leader_partitions',
        help: 'Partitions (Raft groups) this broker leads.',
        registers,
      }),
      groupOffset: groupGauge(
        'weir_group_committed_offset',
        'Offset committed by a consumer group, reported by its coordinator.',
      ),
      groupLag: groupGauge(
        'weir_group_lag',
        'High watermark minus committed offset, per group and partition; reported by the coordinator where it hosts a replica of the partition.',
      ),
      connections: new Gauge({
        name: 'weir_connections',
        help: 'Open client and peer connections.',
        registers,
      }),
      ready: new Gauge({ name: 'weir_ready', help: '1 when /ready answers 200, else 0.', registers }),
      controller: new Gauge({
        name: 'weir_controller_id',
        help: 'Broker id of the elected controller; 0 while none.',
        registers,
      }),
    }
  }

  /** Hands SyncRounds the fsync histogram (storage imports no metrics library). */
  get syncObserver(): SyncObserver {
    return { now: this.now, synced: (durationMs) => this.fsyncSeconds.observe(durationMs / 1000) }
  }

  bytesReceived(listener: string, bytes: number): void {
    this.bytesIn.inc({ listener }, bytes)
  }

  bytesSent(listener: string, bytes: number): void {
    this.bytesOut.inc({ listener }, bytes)
  }

  requestAnswered(listener: string, apiKey: number, durationMs: number): void {
    // Unknown keys share one label value: a client cannot grow the label set at will.
    const api = apiByKey(apiKey)?.name ?? 'unknown'
    this.requests.inc({ api, listener })
    this.requestSeconds.observe({ api, listener }, durationMs / 1000)
  }

  kafkaRequestAnswered(apiName: string, durationMs: number): void {
    this.requests.inc({ api: apiName, listener: 'kafka' })
    this.requestSeconds.observe({ api: apiName, listener: 'kafka' }, durationMs / 1000)
  }

  /** Sets every state gauge from a fresh snapshot; partitions and groups gone since the last scrape disappear. */
  refresh(
    snapshot: StateSnapshot,
    extra: { connections: number; controllerId: number; readiness: Readiness },
  ): void {
    const g = this.gauges
    for (const gauge of Object.values(g)) gauge.reset()
    for (const replica of snapshot.replicas) {
      const labels = { topic: replica.topic, partition: String(replica.partition) }
      g.logStart.set(labels, replica.logStartOffset)
      g.logEnd.set(labels, replica.logEndOffset)
      g.highWatermark.set(labels, replica.highWatermark)
      g.sizeBytes.set(labels, replica.sizeBytes)
      for (const role of ['follower', 'preCandidate', 'candidate', 'leader'])
        g.raftRole.set({ ...labels, role }, role === replica.raftRole ? 1 : 0)
      g.raftTerm.set(labels, replica.term)
      g.raftCommitIndex.set(labels, replica.commitIndex)
      g.replicas.set(labels, replica.replicaCount)
      if (replica.isLeader) g.inSync.set(labels, replica.inSyncCount)
    }
    for (const lag of snapshot.groupLags) {
      const labels = { group: lag.group, topic: lag.topic, partition: String(lag.partition) }
      g.groupOffset.set(labels, lag.committedOffset)
      g.groupLag.set(labels, lag.lag)
    }
    g.underReplicated.set(snapshot.underReplicated)
    g.ledPartitions.set(snapshot.ledPartitions)
    g.connections.set(extra.connections)
    g.controller.set(Math.max(0, extra.controllerId))
    g.ready.set(extra.readiness.ready ? 1 : 0)
  }
}
