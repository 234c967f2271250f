// InitProducerId (key 8), v0. Gives an idempotent producer its identity: a producerId unique across
// the cluster and an epoch. The producer stamps both, and a per-partition sequence, into every
// batch it builds; the partition leader keeps the last batches of each producer and answers a
// resent batch with its original offset instead of appending it twice.
//   request  = { transactionalId?: str }       reserved: transactions are not supported yet
//   response = { errorCode?, errorMessage?, producerId: int, producerEpoch: int }
// Any broker answers. On error producerId and producerEpoch are -1.
import { object, optionalInteger, optionalString, type ResponseError, responseError } from '../schema.js'
import { type ApiDefinition, ApiKeys } from './api.js'

export interface InitProducerIdRequest {
  /** Reserved for transactions; a broker of this version refuses a request that sets it. */
  readonly transactionalId?: string
}

export interface InitProducerIdResponse extends ResponseError {
  /** 0 to 2^53 - 1; -1 on error. */
  readonly producerId: number
  /** 0 to 32767 (an i16 in the batch header); -1 on error. */
  readonly producerEpoch: number
}

/** The largest epoch a batch header can carry (i16). */
export const producerEpochMax = 32_767

export const InitProducerId: ApiDefinition<InitProducerIdRequest, InitProducerIdResponse> = {
  name: 'InitProducerId',
  apiKey: ApiKeys.InitProducerId,
  versionMin: 0,
  versionMax: 0,
  decodeRequest(body) {
    const fields = object(body, 'InitProducerId')
    const transactionalId = optionalString(fields, 'transactionalId', 'InitProducerId')
    return transactionalId === undefined ? {} : { transactionalId }
  },
  decodeResponse(body) {
    const fields = object(body, 'InitProducerId')
    return {
      ...responseError(fields, 'InitProducerId'),
      // Absent in a request-level error body (UNKNOWN_API from an older broker, a timeout): -1.
      producerId: optionalInteger(fields, 'producerId', 'InitProducerId', -1, -1),
      producerEpoch: optionalInteger(fields, 'producerEpoch', 'InitProducerId', -1, -1, producerEpochMax),
    }
  },
}
