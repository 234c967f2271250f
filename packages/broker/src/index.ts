// @weir/broker's public face: the embeddable broker, its options and limits, and the weir.json reader.
export { Broker, type BrokerAddress } from './broker.js'
export { parsePeers } from './cluster/peers.js'
export { type BrokerEnvironment, nodeBrokerEnvironment } from './environment.js'
export { resolveKafkaAdvertise, resolveKafkaListen } from './kafka/kafka-listen.js'
export { type BrokerLimits, type BrokerLimitsInput, defaultLimits, resolveLimits } from './limits.js'
export { createLogger } from './logger.js'
export { defaultMetricsListen, resolveMetricsListen } from './metrics/metrics-listen.js'
export {
  type BrokerOptions,
  type ConfigFile,
  checkConfigFile,
  checkLogLevel,
  configFileKeys,
  defaultListen,
  type GroupOptionsInput,
  type LogLevel,
  logLevels,
  parseListen,
  type RaftTimingInput,
  type RaftTimingOptions,
  readConfigFile,
} from './options.js'
export { fromLogConfig, toLogConfig } from './topic-config.js'
