// Weir's answers → Kafka error codes. Native handlers answer per-partition failures as Weir wire
// codes (errorFields); the Kafka listener gives each the Kafka code the shared table maps it to
// (Kafka.kafkaErrorForWeir), so both listeners fail the same requests for the same reasons.
import { errorNameOf, isWeirError, Kafka } from '@weir/protocol'

/**
 * The Kafka code for a Weir wire code: 0 or absent (a native answer's optional errorCode) is 0; a
 * code this build does not know is UNKNOWN_SERVER_ERROR.
 */
export function kafkaCodeOfWeirCode(code: number | undefined): number {
  if (code === undefined || code === 0) return Kafka.KafkaErrorCodes.NONE.code
  const name = errorNameOf(code)
  return name === undefined ? Kafka.KafkaErrorCodes.UNKNOWN_SERVER_ERROR.code : Kafka.kafkaErrorCodeOf(name)
}

/** The Kafka code for a thrown error: a WeirError's mapped code, anything else UNKNOWN_SERVER_ERROR. */
export function kafkaCodeOfError(error: unknown): number {
  return isWeirError(error)
    ? Kafka.kafkaErrorCodeOf(error.code)
    : Kafka.KafkaErrorCodes.UNKNOWN_SERVER_ERROR.code
}
