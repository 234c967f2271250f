// The topic both order examples share: a typed descriptor, so `send` only takes an Order and the
// consumer yields Orders, checked by the compiler.
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { codecs, defineTopic } from '@weir/client'

export interface Order {
  readonly orderId: number
  readonly customer: string
  readonly total: number
}

export const orders = defineTopic<Order>({ name: 'orders', codec: codecs.json })

/** Where the examples find a broker: `pnpm start` listens on 127.0.0.1:7171. */
export const bootstrap = process.env.WEIR_BOOTSTRAP ?? '127.0.0.1:7171'

/** True when this module is the program node was asked to run (not imported by a test). */
export function isMain(moduleUrl: string): boolean {
  return process.argv[1] !== undefined && moduleUrl === pathToFileURL(resolve(process.argv[1])).href
}
