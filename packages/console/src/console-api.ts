// The JSON API behind the console page, one method per view. The HTTP layer (console-server.ts)
// maps paths to these; tests call them directly against a real broker.
import { type Client, codecs, defineTopic, type Producer } from '@weir/client'
import { WeirError } from '@weir/protocol'
import {
  type BrowseQuery,
  type ProduceInput,
  parseBrowseQuery,
  parseProduceBody,
} from './console-requests.js'
import { LagHistory } from './lag-history.js'
import { browseMessages } from './message-browser.js'

/** Topics the topic list describes (partition count, under-replicated partitions); more are listed by name only. */
export const topicsDescribedMax = 100
/** Browses at once; each has a client of its own. */
export const browsesInFlightMax = 4

export interface ConsoleApiOptions {
  /** Makes a client for the cluster: one for the console's lifetime, and one per browse. */
  readonly newClient: () => Client
  /** Ms since the epoch, for the lag samples. Default Date.now. */
  readonly now?: () => number
}

export class ConsoleApi {
  private readonly client: Client
  private producer: Producer | undefined
  private readonly lagHistory = new LagHistory()
  private readonly now: () => number
  private browsesInFlight = 0

  constructor(private readonly options: ConsoleApiOptions) {
    this.client = options.newClient()
    this.now = options.now ?? Date.now
  }

  /** Brokers with liveness as the broker asked sees them, and the controller. */
  async brokers() {
    const admin = this.client.admin()
    const [brokers, cluster] = await Promise.all([admin.describeBrokers(), admin.describeCluster()])
    return { controllerId: cluster.controllerId, brokers }
  }

  async topics() {
    const admin = this.client.admin()
    const names = await admin.listTopics()
    const described = await Promise.all(
      names.slice(0, topicsDescribedMax).map(async (name) => {
        const topic = await admin.describeTopic(name)
        const underReplicated = topic.partitions.filter(
          (partition) => partition.isr !== undefined && partition.isr.length < partition.replicas.length,
        ).length
        const messages = topic.partitions.reduce(
          (sum, partition) => sum + partition.highWatermark - partition.logStartOffset,
          0,
        )
        return { name, partitions: topic.partitions.length, underReplicated, messages }
      }),
    )
    return { topics: [...described, ...names.slice(topicsDescribedMax).map((name) => ({ name }))] }
  }

  /** Partitions with leader, replicas, ISR and offsets; the topic's config. */
  topic(name: string) {
    return this.client.admin().describeTopic(name)
  }

  async messages(topic: string, query: URLSearchParams | BrowseQuery) {
    const parsed = query instanceof URLSearchParams ? parseBrowseQuery(query) : query
    if (this.browsesInFlight >= browsesInFlightMax)
      throw new WeirError(
        'LIMIT_EXCEEDED',
        `${browsesInFlightMax} message browses are already running; try again when one has finished`,
      )
    this.browsesInFlight++
    try {
      return await browseMessages(this.client.admin(), this.options.newClient, topic, parsed)
    } finally {
      this.browsesInFlight--
    }
  }

  async produce(topic: string, body: unknown) {
    const input: ProduceInput = parseProduceBody(body)
    this.producer ??= this.client.producer()
    const sent = await this.producer.send({
      topic: defineTopic({ name: topic, codec: codecs.raw }),
      key: input.key,
      value: input.value,
      headers: input.headers,
      ...(input.partition === undefined ? {} : { partition: input.partition }),
    })
    return { topic, partition: sent.partition, offset: sent.offset }
  }

  async groups() {
    return { groups: await this.client.admin().listGroups() }
  }

  /** Members, assignment, committed offsets and lag per partition, and the lag samples so far. */
  async group(groupId: string) {
    const group = await this.client.admin().describeGroup(groupId)
    if (group.state === 'dead' && group.members.length === 0 && group.offsets.length === 0)
      throw new WeirError('GROUP_ID_NOT_FOUND', `no consumer group ${groupId}; pick one from the group list`)
    this.lagHistory.record(
      groupId,
      this.now(),
      group.offsets.map((offset) => offset.lag),
    )
    return { ...group, lagHistory: this.lagHistory.samples(groupId) }
  }

  async close(): Promise<void> {
    await this.client.close()
  }
}
