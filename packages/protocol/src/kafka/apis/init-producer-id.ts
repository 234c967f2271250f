// InitProducerId (key 22), v0-v2; v2 is flexible. The idempotent producer's first request.
//   request  = transactional_id NULLABLE_STRING, transaction_timeout_ms INT32
//   response = throttle_time_ms INT32, error_code INT16, producer_id INT64, producer_epoch INT16
import type { KafkaApi } from '../api.js'
import { KafkaApiKeys } from '../api-keys.js'
import { field } from '../schema.js'

export interface InitProducerIdRequest {
  /** null for an idempotent (non-transactional) producer, the only kind Weir serves. */
  readonly transactionalId: string | null
  readonly transactionTimeoutMs: number
}

export interface InitProducerIdResponse {
  readonly throttleTimeMs: number
  readonly errorCode: number
  readonly producerId: number
  readonly producerEpoch: number
}

export const initProducerIdApi: KafkaApi<InitProducerIdRequest, InitProducerIdResponse> = {
  name: 'InitProducerId',
  apiKey: KafkaApiKeys.InitProducerId,
  versionMin: 0,
  versionMax: 2,
  flexibleFrom: 2,
  request: [
    field('transactionalId', 'string', '0+', { nullable: '0+' }),
    field('transactionTimeoutMs', 'int32', '0+'),
  ],
  response: [
    field('throttleTimeMs', 'int32', '0+'),
    field('errorCode', 'int16', '0+'),
    field('producerId', 'int64', '0+', { default: -1 }),
    field('producerEpoch', 'int16', '0+', { default: -1 }),
  ],
}
