// DescribeConfigs (key 32), v0-v2 (no flexible version before v4).
//   request  = resources [resource_type INT8, resource_name STRING, configuration_keys [STRING]
//              (null = all)], include_synonyms BOOLEAN (v1+)
//   response = throttle_time_ms INT32, results [error_code INT16, error_message NULLABLE_STRING,
//              resource_type INT8, resource_name STRING, configs [name STRING, value NULLABLE_STRING,
//              read_only BOOLEAN, is_default BOOLEAN (v0), config_source INT8 (v1+),
//              is_sensitive BOOLEAN, synonyms [name STRING, value NULLABLE_STRING, source INT8] (v1+)]]
import type { KafkaApi } from '../api.js'
import { KafkaApiKeys } from '../api-keys.js'
import { array, field } from '../schema.js'

/** Kafka's resource types as DescribeConfigs uses them. */
export const ConfigResourceType = { topic: 2, broker: 4 } as const
/** Where a value comes from (v1+): 1 the topic's own setting, 5 the broker's static default. */
export const ConfigSource = { topic: 1, staticBroker: 4, defaultConfig: 5 } as const

export interface DescribeConfigsRequest {
  readonly resources: readonly {
    readonly resourceType: number
    readonly resourceName: string
    readonly configurationKeys: readonly string[] | null
  }[]
  readonly includeSynonyms: boolean
}

export interface DescribedConfig {
  readonly name: string
  readonly value: string | null
  readonly readOnly: boolean
  readonly isDefault?: boolean
  readonly configSource?: number
  readonly isSensitive: boolean
  readonly synonyms?: readonly {
    readonly name: string
    readonly value: string | null
    readonly source: number
  }[]
}

export interface DescribeConfigsResponse {
  readonly throttleTimeMs: number
  readonly results: readonly {
    readonly errorCode: number
    readonly errorMessage: string | null
    readonly resourceType: number
    readonly resourceName: string
    readonly configs: readonly DescribedConfig[]
  }[]
}

export const describeConfigsApi: KafkaApi<DescribeConfigsRequest, DescribeConfigsResponse> = {
  name: 'DescribeConfigs',
  apiKey: KafkaApiKeys.DescribeConfigs,
  versionMin: 0,
  versionMax: 2,
  request: [
    array('resources', '0+', [
      field('resourceType', 'int8', '0+'),
      field('resourceName', 'string', '0+'),
      field('configurationKeys', { arrayOf: 'string' }, '0+', { nullable: '0+' }),
    ]),
    field('includeSynonyms', 'bool', '1+'),
  ],
  response: [
    field('throttleTimeMs', 'int32', '0+'),
    array('results', '0+', [
      field('errorCode', 'int16', '0+'),
      field('errorMessage', 'string', '0+', { nullable: '0+' }),
      field('resourceType', 'int8', '0+'),
      field('resourceName', 'string', '0+'),
      array('configs', '0+', [
        field('name', 'string', '0+'),
        field('value', 'string', '0+', { nullable: '0+' }),
        field('readOnly', 'bool', '0+'),
        field('isDefault', 'bool', '0'),
        field('configSource', 'int8', '1+', { default: -1 }),
        field('isSensitive', 'bool', '0+'),
        array('synonyms', '1+', [
          field('name', 'string', '1+'),
          field('value', 'string', '1+', { nullable: '0+' }),
          field('source', 'int8', '1+'),
        ]),
      ]),
    ]),
  ],
}
