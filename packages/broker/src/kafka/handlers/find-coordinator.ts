// FindCoordinator (Kafka v0-3) → the native FindCoordinator handler (Group:Describe ACL, the
// leader of the group's __consumer_offsets partition, COORDINATOR_LOAD_IN_PROGRESS while none
// leads it), then that broker's *Kafka* address: a Kafka client must reach the coordinator on the
// Kafka listener. Key type 1 (a transactional id) is COORDINATOR_NOT_AVAILABLE: Weir has no
// transactions.
import { FindCoordinator, type FindCoordinatorResponse, Kafka } from '@weir/protocol'
import { findCoordinatorHandler } from '../../handlers/find-coordinator.js'
import { kafkaCodeOfWeirCode } from '../kafka-errors.js'
import { defineKafkaHandler, type KafkaRequestContext } from '../kafka-handler.js'
import type { KafkaAddress } from '../kafka-listen.js'

/** Kafka's key types: 0 a group id, 1 a transactional id. */
export const KafkaCoordinatorKeyTypes = { group: 0, transaction: 1 } as const

/** Where Kafka clients reach broker `nodeId`, or undefined when its Kafka listener is unknown. */
export type KafkaAddressOf = (nodeId: number) => KafkaAddress | undefined

function refusal(errorCode: number, errorMessage: string): Kafka.FindCoordinatorResponse {
  return { throttleTimeMs: 0, errorCode, errorMessage, nodeId: -1, host: '', port: -1 }
}

/** A key type FindCoordinator cannot answer, or undefined for a group. */
export function keyTypeRefusal(
  request: Kafka.FindCoordinatorRequest,
): Kafka.FindCoordinatorResponse | undefined {
  if (request.keyType === KafkaCoordinatorKeyTypes.group) return undefined
  if (request.keyType === KafkaCoordinatorKeyTypes.transaction)
    return refusal(
      Kafka.KafkaErrorCodes.COORDINATOR_NOT_AVAILABLE.code,
      `Weir does not support transactions, so there is no coordinator for transactional id "${request.key}"; ` +
        'drop transactional.id (an idempotent producer needs none)',
    )
  return refusal(
    Kafka.KafkaErrorCodes.INVALID_REQUEST.code,
    `FindCoordinator key type ${request.keyType} is not one Weir knows; use 0 (a consumer group)`,
  )
}

/** The native answer with the coordinator's Kafka address in place of its Weir one. */
export function kafkaFindCoordinatorResponse(
  native: FindCoordinatorResponse,
  kafkaAddressOf: KafkaAddressOf,
): Kafka.FindCoordinatorResponse {
  if (native.errorCode) return refusal(kafkaCodeOfWeirCode(native.errorCode), native.errorMessage ?? '')
  const address = kafkaAddressOf(native.nodeId)
  if (address === undefined)
    return refusal(
      Kafka.KafkaErrorCodes.COORDINATOR_NOT_AVAILABLE.code,
      `the coordinator is broker ${native.nodeId}, whose Kafka listener address is not known here ` +
        '(is --kafka-listen set on every broker?); retry shortly',
    )
  return { throttleTimeMs: 0, errorCode: 0, errorMessage: null, nodeId: native.nodeId, ...address }
}

/** This broker's own Kafka address, a peer's from its latest broker heartbeat. */
function kafkaAddressesOf(context: KafkaRequestContext): KafkaAddressOf {
  const { cluster } = context.native
  return (nodeId) =>
    nodeId === cluster.selfId ? context.kafkaAdvertised : cluster.heartbeats.kafkaAddressOf(nodeId)
}

export const kafkaFindCoordinatorHandler = defineKafkaHandler({
  api: Kafka.findCoordinatorApi,
  async handle(request, context) {
    const refused = keyTypeRefusal(request)
    if (refused !== undefined) return refused
    const native = FindCoordinator.decodeRequest({ key: request.key, keyType: 0 })
    const answer = await findCoordinatorHandler.handle(native, context.native)
    return answer === undefined ? undefined : kafkaFindCoordinatorResponse(answer, kafkaAddressesOf(context))
  },
  errorResponse(_request, _version, errorCode) {
    return { throttleTimeMs: 0, errorCode, errorMessage: null, nodeId: -1, host: '', port: -1 }
  },
})
