// Offsets in Redis, for applications that keep their own state there and want the consumed
// position beside it. One hash per group, `<prefix><groupId>`, field `<topic>:<partition>` (topic
// names never hold ':'), value the next offset in decimal. A commit is one HSET, so the
// partitions of one commit are stored together.
//
// Not fenced: Redis does not know the group's generations, so a member that lost its partitions
// (a zombie) could still commit; the consumer commits only partitions it owns, and the broker's
// membership tells it promptly when it loses them. Use the broker store when that matters.
//
// ioredis is an optional peer dependency: nothing here imports it. An application either passes
// its own connection in (an ioredis `Redis` or `Cluster`, or ioredis-mock) or calls
// RedisOffsetStore.connect(url), which loads ioredis only then and says how to install it when
// it is missing (MISSING_DEPENDENCY).
import { WeirError } from '@weir/protocol'
import type { MemberContext } from '../groups/group-membership.js'
import { importIoredis } from './load-ioredis.js'
import {
  assertCommittable,
  type CommittedOffsets,
  type OffsetStore,
  setCommitted,
  type TopicPartitionOffset,
  type TopicPartitions,
} from './offset-store.js'

/**
 * The commands the store uses; an ioredis `Redis` (or `Cluster`, or ioredis-mock) has them.
 * Written out rather than taken from ioredis's types, so the client's types do not need ioredis.
 */
export interface RedisOffsetCommands {
  hset(key: string, fields: Record<string, string>): Promise<unknown>
  hmget(key: string, ...fields: string[]): Promise<ReadonlyArray<string | null>>
}

/** A connection the store opened itself (RedisOffsetStore.connect) and closes with close(). */
interface OwnedConnection extends RedisOffsetCommands {
  quit(): Promise<unknown>
}

export interface RedisOffsetStoreOptions {
  /** Prepended to every key. Default 'weir:offsets:'. */
  readonly prefix?: string
}

/** Fields per HMGET or HSET; larger requests are split. */
export const redisFieldsPerCommandMax = 10_000

export class RedisOffsetStore implements OffsetStore {
  readonly prefix: string
  private owned: OwnedConnection | undefined

  /**
   * Opens an ioredis connection to `url` (`redis://host:port/db`) and a store over it; close()
   * quits it. Loads ioredis only now. Errors: MISSING_DEPENDENCY when ioredis is not installed
   * (`pnpm add ioredis`); INVALID_CONFIG for a bad prefix.
   */
  static async connect(url: string, options: RedisOffsetStoreOptions = {}): Promise<RedisOffsetStore> {
    const { Redis } = await importIoredis()
    const redis = new Redis(url, { lazyConnect: true })
    const store = new RedisOffsetStore(redis, options)
    store.owned = redis
    return store
  }

  constructor(
    private readonly redis: RedisOffsetCommands,
    options: RedisOffsetStoreOptions = {},
  ) {
    if (redis === null || typeof redis !== 'object' || typeof redis.hmget !== 'function')
      throw new WeirError('INVALID_CONFIG', 'RedisOffsetStore needs an ioredis connection')
    this.prefix = options.prefix ?? 'weir:offsets:'
    if (typeof this.prefix !== 'string')
      throw new WeirError('INVALID_CONFIG', 'RedisOffsetStore option prefix must be a string')
  }

  /** The Redis key holding `groupId`'s offsets. */
  keyOf(groupId: string): string {
    return `${this.prefix}${groupId}`
  }

  async fetch(groupId: string, partitions: readonly TopicPartitions[]): Promise<CommittedOffsets> {
    const wanted = partitions.flatMap(({ topic, partitions: numbers }) =>
      numbers.map((partition) => ({ topic, partition })),
    )
    const committed: CommittedOffsets = new Map()
    for (let start = 0; start < wanted.length; start += redisFieldsPerCommandMax) {
      const slice = wanted.slice(start, start + redisFieldsPerCommandMax)
      const values = await this.redis.hmget(
        this.keyOf(groupId),
        ...slice.map(({ topic, partition }) => fieldOf(topic, partition)),
      )
      slice.forEach(({ topic, partition }, index) => {
        const value = values[index]
        if (value === null || value === undefined) return
        const offset = Number(value)
        if (!Number.isSafeInteger(offset) || offset < 0)
          throw new WeirError(
            'INVALID_REQUEST',
            `Redis key ${this.keyOf(groupId)} field ${fieldOf(topic, partition)} holds ${JSON.stringify(value)}, not an offset`,
          )
        setCommitted(committed, topic, partition, offset)
      })
    }
    return committed
  }

  async commit(
    groupId: string,
    offsets: readonly TopicPartitionOffset[],
    _member: MemberContext | undefined,
  ): Promise<void> {
    offsets.forEach(assertCommittable)
    for (let start = 0; start < offsets.length; start += redisFieldsPerCommandMax) {
      const fields: Record<string, string> = {}
      for (const { topic, partition, offset } of offsets.slice(start, start + redisFieldsPerCommandMax))
        fields[fieldOf(topic, partition)] = String(offset)
      await this.redis.hset(this.keyOf(groupId), fields)
    }
  }

  /** Quits the connection connect() opened; a connection passed in stays the caller's to close. */
  async close(): Promise<void> {
    const owned = this.owned
    this.owned = undefined
    await owned?.quit()
  }
}

function fieldOf(topic: string, partition: number): string {
  return `${topic}:${partition}`
}
