// @weir/console public face: start the web console against a cluster.

export { ConsoleApi, type ConsoleApiOptions } from './console-api.js'
export { type BrowseQuery, browseLimitMax, parseBrowseQuery, parseProduceBody } from './console-requests.js'
export { type ConsoleOptions, type ConsoleServer, startConsole } from './console-server.js'
export { LagHistory, type LagSample } from './lag-history.js'
export { consoleUrl, defaultConsoleListen, type ListenAddress, parseListenAddress } from './listen-address.js'
export type { BrowsedMessage, BrowseResult } from './message-browser.js'
export { type FormattedBytes, formatBytes, type ValueFormat, valueFormats } from './value-format.js'
