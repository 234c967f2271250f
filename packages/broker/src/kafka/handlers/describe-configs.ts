// DescribeConfigs (v0-2) on the Kafka listener, per resource: a topic (type 2) answers its
// effective config under Kafka's names from the controller image Metadata reads; a broker (type 4)
// answers this broker's settings that have Kafka names. Weir has no DescribeConfigs ACL operation,
// so a topic needs Describe on it (as Metadata) and a broker Describe on the cluster (as
// DescribeBrokers); a denied topic reads the same whether it exists or not.
import { clusterResourceName, isWeirError, Kafka, WeirError } from '@weir/protocol'
import { authorize } from '../../handlers/authorize.js'
import type { HandlerContext } from '../../handlers/index.js'
import { kafkaErrorFieldsOf } from '../kafka-error-fields.js'
import { defineKafkaHandler } from '../kafka-handler.js'
import { type DescribeOptions, describeBrokerConfig, describeTopicConfig } from '../kafka-topic-configs.js'

type Resource = Kafka.DescribeConfigsRequest['resources'][number]
type Result = Kafka.DescribeConfigsResponse['results'][number]

export const kafkaDescribeConfigsHandler = defineKafkaHandler({
  api: Kafka.describeConfigsApi,
  async handle(request, context) {
    const results = request.resources.map((resource): Result => {
      const options = { keys: resource.configurationKeys, includeSynonyms: request.includeSynonyms }
      const answered = { resourceType: resource.resourceType, resourceName: resource.resourceName }
      try {
        const configs = describe(resource, options, context.native)
        return { ...answered, errorCode: 0, errorMessage: null, configs }
      } catch (error) {
        if (!isWeirError(error)) throw error
        return { ...answered, ...kafkaErrorFieldsOf(error), configs: [] }
      }
    })
    return { throttleTimeMs: 0, results }
  },
  errorResponse(request, _version, errorCode) {
    return {
      throttleTimeMs: 0,
      results: request.resources.map((resource) => ({
        errorCode,
        errorMessage: null,
        resourceType: resource.resourceType,
        resourceName: resource.resourceName,
        configs: [],
      })),
    }
  },
})

function describe(
  resource: Resource,
  options: DescribeOptions,
  native: HandlerContext,
): Kafka.DescribedConfig[] {
  if (resource.resourceType === Kafka.ConfigResourceType.topic) {
    const name = resource.resourceName
    authorize(native, 'Describe', 'Topic', name)
    const topic = native.cluster.image.topic(name)
    if (topic === undefined)
      throw new WeirError('UNKNOWN_TOPIC', `topic ${name} does not exist; list topics with Metadata`)
    return describeTopicConfig(topic.config, native.topicDefaults, options)
  }
  if (resource.resourceType === Kafka.ConfigResourceType.broker) {
    authorize(native, 'Describe', 'Cluster', clusterResourceName)
    const self = String(native.brokerId)
    if (resource.resourceName !== '' && resource.resourceName !== self)
      throw new WeirError(
        'INVALID_REQUEST',
        `this is broker ${self}; describe broker ${resource.resourceName} by sending the request to it, or name ${self} or '' here`,
      )
    const { limits } = native
    return describeBrokerConfig(
      { brokerId: native.brokerId, topicDefaults: native.topicDefaults, ...limits },
      options,
    )
  }
  throw new WeirError(
    'INVALID_REQUEST',
    `config resource type ${resource.resourceType} is not supported; Weir describes topics (2) and brokers (4)`,
  )
}
