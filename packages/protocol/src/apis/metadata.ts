// Metadata (key 1), v0. Brokers, and topics with their partitions, leaders and offsets.
//   request  = { topics: [string] | null }            null: every topic
//   response = { errorCode?, errorMessage?, brokers: [{ id, host, port }], controllerId,
//                topics: [{ name, errorCode, errorMessage?, config, partitions:
//                  [{ partition, errorCode, leader, leaderEpoch?, replicas: [int], isr?: [int],
//                     logStartOffset, highWatermark }] }] }
// A topic that does not exist comes back with errorCode UNKNOWN_TOPIC and no partitions.
// leaderEpoch (added later, optional: older brokers leave it out) is the Raft term in which
// `leader` leads; clients asking several brokers keep the answer with the highest one.

import {
  array,
  type Fields,
  integer,
  integerItem,
  object,
  optionalArray,
  optionalInteger,
  optionalString,
  type ResponseError,
  responseError,
  string,
  stringItem,
} from '../schema.js'
import { checkTopicConfig, type TopicConfig } from '../topic-config.js'
import { type ApiDefinition, ApiKeys, type ErrorFields } from './api.js'

export interface MetadataRequest {
  readonly topics: readonly string[] | null
}

export interface BrokerAddress {
  readonly id: number
  readonly host: string
  readonly port: number
}

export interface MetadataPartition extends ErrorFields {
  readonly partition: number
  /** Broker id of the leader; -1 when there is none. */
  readonly leader: number
  /**
   * The Raft term in which `leader` leads: a larger one is newer news. Absent when there is no
   * leader or the answering broker is older than this field.
   */
  readonly leaderEpoch?: number
  readonly replicas: readonly number[]
  /**
   * In-sync replicas: the leader and the followers that held everything committed within the
   * replica lag window. Absent when the answering broker does not know (no leader yet).
   */
  readonly isr?: readonly number[]
  readonly logStartOffset: number
  readonly highWatermark: number
}

export interface MetadataTopic extends ErrorFields {
  readonly name: string
  readonly config: TopicConfig
  readonly partitions: readonly MetadataPartition[]
}

export interface MetadataResponse extends ResponseError {
  readonly brokers: readonly BrokerAddress[]
  readonly controllerId: number
  readonly topics: readonly MetadataTopic[]
}

export function errorFields(fields: Fields, path: string): ErrorFields {
  const errorCode = optionalInteger(fields, 'errorCode', path, 0, 0, 65_535)
  const errorMessage = optionalString(fields, 'errorMessage', path)
  return errorMessage === undefined ? { errorCode } : { errorCode, errorMessage }
}

function decodePartition(value: unknown, path: string): MetadataPartition {
  const fields = object(value, path)
  const isr = optionalArray(fields, 'isr', path, integerItem)
  const leaderEpoch = fields.leaderEpoch === undefined ? undefined : integer(fields, 'leaderEpoch', path, 0)
  return {
    ...errorFields(fields, path),
    partition: integer(fields, 'partition', path),
    leader: integer(fields, 'leader', path, -1),
    ...(leaderEpoch === undefined ? {} : { leaderEpoch }),
    replicas: array(fields, 'replicas', path, integerItem),
    ...(isr === undefined ? {} : { isr }),
    logStartOffset: integer(fields, 'logStartOffset', path, -1),
    highWatermark: integer(fields, 'highWatermark', path, -1),
  }
}

export const Metadata: ApiDefinition<MetadataRequest, MetadataResponse> = {
  name: 'Metadata',
  apiKey: ApiKeys.Metadata,
  versionMin: 0,
  versionMax: 0,
  decodeRequest(body) {
    const fields = object(body, 'Metadata')
    const topics =
      fields.topics === null || fields.topics === undefined
        ? null
        : array(fields, 'topics', 'Metadata', stringItem)
    return { topics }
  },
  decodeResponse(body) {
    const fields = object(body, 'Metadata')
    return {
      ...responseError(fields, 'Metadata'),
      brokers: array(fields, 'brokers', 'Metadata', (value, path) => {
        const broker = object(value, path)
        return {
          id: integer(broker, 'id', path),
          host: string(broker, 'host', path),
          port: integer(broker, 'port', path, 0, 65_535),
        }
      }),
      controllerId: integer(fields, 'controllerId', 'Metadata', -1),
      topics: array(fields, 'topics', 'Metadata', (value, path) => {
        const topic = object(value, path)
        return {
          ...errorFields(topic, path),
          name: string(topic, 'name', path),
          config: checkTopicConfig(topic.config, `${path}.config`),
          partitions: array(topic, 'partitions', path, decodePartition),
        }
      }),
    }
  },
}
