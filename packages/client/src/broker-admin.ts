// Adding and removing brokers. Membership changes are served by the controller leader only, so
// each request goes to the broker Metadata names as controller; a NOT_LEADER (the controller
// moved, or is handing off before removing itself) refreshes Metadata and tries again, within a
// bounded time.
import {
  AddBroker,
  type ApiDefinition,
  delay,
  isWeirError,
  type MembershipResponse,
  RemoveBroker,
  WeirError,
} from '@weir/protocol'
import type { Cluster } from './cluster.js'

export interface AddBrokerOptions {
  /** The new broker's --id. */
  readonly id: number
  readonly host: string
  /** Its client port (--listen). */
  readonly port: number
  /** Its peer port; default port + 1, as in --peers. */
  readonly peerPort?: number
}

/** How long a membership change keeps looking for the controller leader. */
const controllerSearchMs = 30_000
const retryMs = 200

export async function addBroker(cluster: Cluster, options: AddBrokerOptions): Promise<void> {
  const { id, host, port } = options
  const request = { brokerId: id, host, port, peerPort: options.peerPort ?? port + 1 }
  await onController(cluster, AddBroker, request)
}

export async function removeBroker(cluster: Cluster, id: number): Promise<void> {
  await onController(cluster, RemoveBroker, { brokerId: id })
}

async function onController<Request>(
  cluster: Cluster,
  api: ApiDefinition<Request, MembershipResponse>,
  body: Request,
): Promise<void> {
  const { clock, timers } = cluster.environment
  const deadline = clock.now() + controllerSearchMs
  for (;;) {
    try {
      const { controllerId } = await cluster.metadata([])
      if (controllerId < 0) throw new WeirError('NOT_LEADER', 'the cluster has no controller leader yet')
      const connection = await cluster.connectionFor(controllerId)
      // A voter change waits for the new voter's commit: give it the request's whole time.
      await connection.request(api, body)
      return
    } catch (error) {
      const retriable =
        isWeirError(error) && ['NOT_LEADER', 'BROKER_UNAVAILABLE', 'CONNECTION_CLOSED'].includes(error.code)
      if (!retriable || clock.now() + retryMs > deadline) throw error
      await delay(timers, retryMs)
    }
  }
}
