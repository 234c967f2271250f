// ApiVersions (v0-3): the first request of every Kafka client. Advertises exactly the registered
// handlers' APIs at the versions the codec speaks, so a client never picks an API or version this
// listener would close the connection on. Built from the registry it is part of (passed in, not
// imported: the registry imports this file).
import { Kafka } from '@weir/protocol'
import { type AnyKafkaHandler, defineKafkaHandler } from '../kafka-handler.js'

/** The advertised ranges of `handlers`, in API key order. */
export function registeredApiVersions(handlers: readonly AnyKafkaHandler[]): Kafka.ApiVersionRange[] {
  const apis = handlers.map((handler) => handler.api).sort((a, b) => a.apiKey - b.apiKey)
  return Kafka.advertisedApiVersions(apis)
}

export function apiVersionsHandlerOf(registered: () => readonly AnyKafkaHandler[]) {
  return defineKafkaHandler({
    api: Kafka.apiVersionsApi,
    async handle() {
      const apiKeys = registeredApiVersions(registered())
      return { errorCode: Kafka.KafkaErrorCodes.NONE.code, apiKeys, throttleTimeMs: 0 }
    },
    errorResponse(_request, _version, errorCode) {
      return { errorCode, apiKeys: registeredApiVersions(registered()), throttleTimeMs: 0 }
    },
  })
}
