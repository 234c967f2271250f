// ApiVersions (key 0), v0. Lets a client learn which APIs and versions a broker speaks.
//   request  = {}
//   response = { errorCode?, errorMessage?, brokerId: int, apis: [{ apiKey, versionMin, versionMax }] }
import { array, integer, object, type ResponseError, responseError } from '../schema.js'
import { type ApiDefinition, ApiKeys } from './api.js'

export type ApiVersionsRequest = Record<string, never>

export interface ApiVersionRange {
  readonly apiKey: number
  readonly versionMin: number
  readonly versionMax: number
}

export interface ApiVersionsResponse extends ResponseError {
  readonly brokerId: number
  readonly apis: readonly ApiVersionRange[]
}

export const ApiVersions: ApiDefinition<ApiVersionsRequest, ApiVersionsResponse> = {
  name: 'ApiVersions',
  apiKey: ApiKeys.ApiVersions,
  versionMin: 0,
  versionMax: 0,
  decodeRequest(body) {
    object(body, 'ApiVersions')
    return {}
  },
  decodeResponse(body) {
    const fields = object(body, 'ApiVersions')
    return {
      ...responseError(fields, 'ApiVersions'),
      brokerId: integer(fields, 'brokerId', 'ApiVersions'),
      apis: array(fields, 'apis', 'ApiVersions', (value, path) => {
        const api = object(value, path)
        return {
          apiKey: integer(api, 'apiKey', path, 0, 65_535),
          versionMin: integer(api, 'versionMin', path, 0, 65_535),
          versionMax: integer(api, 'versionMax', path, 0, 65_535),
        }
      }),
    }
  },
}
