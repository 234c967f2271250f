// Metadata in a cluster: every broker answers from its copy of the controller's image, with the
// leader of each partition as this broker knows it (its own replica's view, or what the leader
// announced). highWatermark is exact where this broker leads the partition, the follower's view
// (at most a heartbeat behind: a lower bound) where it hosts a replica, and -1 elsewhere. The
// in-sync replicas come from the leader (its own set, or its announcement) and are absent when
// this broker knows no leader. leaderEpoch is that leader's Raft term: a client asking several
// brokers (one may be cut off and know no leader, another may not have heard of an election yet)
// keeps the answer with the highest.
import {
  type MetadataPartition,
  type MetadataResponse,
  type MetadataTopic,
  type TopicConfig,
  WeirError,
} from '@weir/protocol'
import { type LogConfig, resolveLogConfig } from '@weir/storage'
import type { Cluster } from '../cluster/cluster.js'
import { isInternalTopic } from '../groups/group-records.js'
import { fromLogConfig } from '../topic-config.js'
import type { HandlerContext } from './handler.js'

export function clusterMetadata(
  topics: readonly string[] | null,
  cluster: Cluster,
  context: HandlerContext,
): MetadataResponse {
  const names =
    topics ??
    cluster.image
      .topics()
      .map((topic) => topic.name)
      .filter((name) => !isInternalTopic(name))
      .sort()
  return {
    brokers: cluster.peers.map((peer) =>
      peer.id === cluster.selfId
        ? { id: peer.id, host: context.advertised.host, port: context.advertised.port }
        : { id: peer.id, host: peer.host, port: peer.port },
    ),
    controllerId: cluster.controllerId === 0 ? -1 : cluster.controllerId,
    topics: names.map((name) => describeTopic(name, cluster)),
  }
}

function describeTopic(name: string, cluster: Cluster): MetadataTopic {
  const topic = cluster.image.topic(name)
  if (topic === undefined) {
    const error = new WeirError('UNKNOWN_TOPIC', `topic ${name} does not exist`)
    return { name, errorCode: error.errorCode, errorMessage: error.message, config: {}, partitions: [] }
  }
  const partitions: MetadataPartition[] = topic.replicas.map((replicas, partition) => {
    const replica = cluster.replicaOf(name, partition)
    const isr = cluster.inSyncOf(name, partition)
    const leaderEpoch = cluster.leaderEpochOf(name, partition)
    return {
      partition,
      errorCode: 0,
      leader: cluster.leaderOf(name, partition),
      ...(leaderEpoch === undefined ? {} : { leaderEpoch }),
      replicas,
      ...(isr === undefined ? {} : { isr }),
      logStartOffset: replica === undefined ? -1 : replica.log.logStartOffset,
      highWatermark: replica === undefined ? -1 : replica.highWatermark,
    }
  })
  return { name, errorCode: 0, config: answeredConfig(topic.config), partitions }
}

/**
 * A topic's config as Metadata answers it, resolved once per config object: a topic's config is
 * fixed when it is created (a new object for a new topic), and resolving it anew for every topic
 * of every Metadata request for all topics cost 10-40 ms of broker CPU per request at 10,000
 * topics. Weak keys: a deleted topic's entry goes with its image.
 */
const answeredConfigs = new WeakMap<object, TopicConfig>()

function answeredConfig(config: Partial<LogConfig>): TopicConfig {
  let answered = answeredConfigs.get(config)
  if (answered === undefined) {
    answered = fromLogConfig(resolveLogConfig(config))
    answeredConfigs.set(config, answered)
  }
  return answered
}
