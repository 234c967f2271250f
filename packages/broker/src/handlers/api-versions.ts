// ApiVersions: every API this broker dispatches, with the version range the protocol build speaks.
import { ApiVersions, apiDefinitions } from '@weir/protocol'
import { defineHandler } from './handler.js'

export const apiVersionsHandler = defineHandler({
  api: ApiVersions,
  async handle(_request, context) {
    return {
      brokerId: context.brokerId,
      apis: apiDefinitions.map(({ apiKey, versionMin, versionMax }) => ({ apiKey, versionMin, versionMax })),
    }
  },
})
