// A native handler's per-topic error fields ({ errorCode: Weir's code, errorMessage }) as Kafka
// wants them: Kafka's code for the same condition (Kafka.kafkaErrorCodeOf, the one mapping), the
// message kept (CreateTopics v1+ and DescribeConfigs carry it to the client).
import { errorNameOf, Kafka, type WeirError } from '@weir/protocol'

export interface KafkaErrorFields {
  readonly errorCode: number
  readonly errorMessage: string | null
}

/** `errorCode` absent or 0: no error (a native response's request-level error fields are optional). */
export function kafkaErrorFields(fields: { errorCode?: number; errorMessage?: string }): KafkaErrorFields {
  if (fields.errorCode === undefined || fields.errorCode === 0) return { errorCode: 0, errorMessage: null }
  const name = errorNameOf(fields.errorCode)
  return {
    errorCode:
      name === undefined ? Kafka.KafkaErrorCodes.UNKNOWN_SERVER_ERROR.code : Kafka.kafkaErrorCodeOf(name),
    errorMessage: fields.errorMessage ?? null,
  }
}

export function kafkaErrorFieldsOf(error: WeirError): KafkaErrorFields {
  return { errorCode: Kafka.kafkaErrorCodeOf(error.code), errorMessage: error.message }
}
