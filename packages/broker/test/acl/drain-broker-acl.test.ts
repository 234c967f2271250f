// Proves DrainBroker needs Cluster:Alter with ACLs on: a principal without it is refused with
// CLUSTER_AUTHORIZATION_FAILED and nothing is committed; a super user drains and undrains, and the
// mark is in the image.
import { DrainBroker, decodeBody, encodeBody, isWeirError } from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Broker } from '../../src/broker.js'
import { type HandlerContext, handlerFor } from '../../src/handlers/index.js'
import { removeTempDirectories, startBroker } from '../support/broker.js'

function as(broker: Broker, principal: string): HandlerContext {
  const context = broker['context'] as HandlerContext
  return { ...context, clientHost: '127.0.0.1', session: { principal, authenticated: true } }
}

async function drain(context: HandlerContext, draining: boolean): Promise<unknown> {
  const request = DrainBroker.decodeRequest(decodeBody(encodeBody({ brokerId: 1, draining }), 'request'))
  return handlerFor(DrainBroker.apiKey)!.handle(request, context)
}

test('DrainBroker needs Cluster:Alter', async () => {
  const broker = await startBroker({ authorizer: 'acl', superUsers: ['User:admin'] })
  try {
    const refused = await drain(as(broker, 'User:alice'), true).then(
      () => undefined,
      (error: unknown) => error,
    )
    assert.ok(isWeirError(refused, 'CLUSTER_AUTHORIZATION_FAILED'), String(refused))
    assert.is(broker.cluster.image.drainingBrokers().size, 0, 'nothing committed')
    await drain(as(broker, 'User:admin'), true)
    assert.equal([...broker.cluster.image.drainingBrokers()], [1])
    await drain(as(broker, 'User:admin'), false)
    assert.is(broker.cluster.image.drainingBrokers().size, 0)
  } finally {
    await broker.close()
    removeTempDirectories()
  }
})

test.run()
