// A native handler's per-topic error fields ({ errorCode: Weir's code, errorMessage }) as Kafka
// wants them: Kafka's code for the same condition (kafka-errors.ts, the one mapping), the
// message kept (CreateTopics v1+ and DescribeConfigs carry it to the client).
import { Kafka, type WeirError } from '@weir/protocol'
import { kafkaCodeOfWeirCode } from './kafka-errors.js'

export interface KafkaErrorFields {
  readonly errorCode: number
  readonly errorMessage: string | null
}

/** `errorCode` absent or 0: no error (a native response's request-level error fields are optional). */
export function kafkaErrorFields(fields: { errorCode?: number; errorMessage?: string }): KafkaErrorFields {
  if (fields.errorCode === undefined || fields.errorCode === 0) return { errorCode: 0, errorMessage: null }
  return { errorCode: kafkaCodeOfWeirCode(fields.errorCode), errorMessage: fields.errorMessage ?? null }
}

export function kafkaErrorFieldsOf(error: WeirError): KafkaErrorFields {
  return { errorCode: Kafka.kafkaErrorCodeOf(error.code), errorMessage: error.message }
}
