// Produce (key 4), v0 and v1. Record batches travel as msgpack bin, byte for byte as the client encoded
// them (see docs/record-batch.md); the broker validates length and CRC, patches baseOffset and
// term in place, and appends them verbatim.
//   request  = { acks: 0 | 1 | -1, timeoutMs, topics: [{ name, partitions: [{ partition, records: bin }] }] }
//   response = { errorCode?, errorMessage?, topics: [{ name, partitions:
//                  [{ partition, errorCode, errorMessage?, baseOffset, logStartOffset, leaderId? }] }] }
// leaderId comes with NOT_LEADER in a cluster: the broker that leads the partition (absent when
// none is known), so a client may go there before its metadata refresh answers.
// `records` holds one or more whole batches. acks 0 gets no response frame at all; 1 (leader)
// answers once the leader appended; -1 (all) once the write is as durable as the topic's fsync
// policy says (and, with replication, committed by a majority).
// v1: the same fields, but the request is a segmented body (segmented-body.ts): each partition's
// `records` travels as a raw trailing segment, written from the producer's batch buffers as they
// are and read by the broker as views of the frame.
import { bytes, integer, object, type ResponseError, responseError, topicPartitions } from '../schema.js'
import { type ApiDefinition, ApiKeys, type ErrorFields } from './api.js'
import { errorFields } from './metadata.js'

export const Acks = { none: 0, leader: 1, all: -1 } as const
export type AcksName = keyof typeof Acks
export type AcksValue = (typeof Acks)[AcksName]

export interface ProducePartitionData {
  readonly partition: number
  readonly records: Buffer
}

export interface ProduceTopicData {
  readonly name: string
  readonly partitions: readonly ProducePartitionData[]
}

export interface ProduceRequest {
  readonly acks: AcksValue
  readonly timeoutMs: number
  readonly topics: readonly ProduceTopicData[]
}

export interface ProducePartitionResult extends ErrorFields {
  readonly partition: number
  /** Offset of the first record written; -1 on error. */
  readonly baseOffset: number
  readonly logStartOffset: number
  /** With NOT_LEADER: the partition's leader as the answering broker knows it. */
  readonly leaderId?: number
}

export interface ProduceResponse extends ResponseError {
  readonly topics: readonly {
    readonly name: string
    readonly partitions: readonly ProducePartitionResult[]
  }[]
}

function decodeAcks(value: number): AcksValue {
  return value === 65_535 ? Acks.all : (value as AcksValue)
}

export const Produce: ApiDefinition<ProduceRequest, ProduceResponse> = {
  name: 'Produce',
  apiKey: ApiKeys.Produce,
  versionMin: 0,
  versionMax: 1,
  segmentedSince: { request: 1 },
  decodeRequest(body) {
    const fields = object(body, 'Produce')
    return {
      acks: decodeAcks(integer(fields, 'acks', 'Produce', -1, 1)),
      timeoutMs: integer(fields, 'timeoutMs', 'Produce', 0, 2_147_483_647),
      topics: topicPartitions(fields, 'Produce', (partition, entryPath) => ({
        partition: integer(partition, 'partition', entryPath, 0, 1_000_000),
        records: bytes(partition, 'records', entryPath),
      })),
    }
  },
  decodeResponse(body) {
    const fields = object(body, 'Produce')
    return {
      ...responseError(fields, 'Produce'),
      topics: topicPartitions(fields, 'Produce', (partition, entryPath) => ({
        ...errorFields(partition, entryPath),
        partition: integer(partition, 'partition', entryPath),
        baseOffset: integer(partition, 'baseOffset', entryPath, -1),
        logStartOffset: integer(partition, 'logStartOffset', entryPath, -1),
        ...(partition.leaderId === undefined || partition.leaderId === null
          ? {}
          : { leaderId: integer(partition, 'leaderId', entryPath, 1, 2 ** 31 - 1) }),
      })),
    }
  },
}
