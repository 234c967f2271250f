// The real world as an Environment: Node's clock and timers, Math.random and TCP.
import { type Environment, nodeClock, nodeTimers } from '../environment.js'
import { tcpTransport } from './tcp-transport.js'

export const nodeEnvironment: Environment = {
  clock: nodeClock,
  timers: nodeTimers,
  random: Math.random,
  transport: tcpTransport,
}
