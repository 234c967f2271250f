// Proves the health verdict: down or catching-up brokers, leaderless and under-replicated partitions and a missing controller fail; draining is only noted.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { assessHealth, type HealthBroker, type HealthPartition, healthText } from '../src/cluster-health.js'

const broker = (id: number, state: string | undefined): HealthBroker => ({
  id,
  host: '127.0.0.1',
  port: 7170 + id,
  state,
})
const partition = (index: number, leader: number, isr: number[]): HealthPartition => ({
  topic: 'orders',
  partition: index,
  leader,
  replicas: [1, 2, 3],
  isr,
})
const healthy = {
  controllerId: 1,
  brokers: [broker(1, 'alive'), broker(2, 'alive'), broker(3, 'alive')],
  partitions: [partition(0, 1, [1, 2, 3]), partition(1, 2, [2, 3, 1])],
}

test('all alive, every partition led and fully in sync: healthy, no findings', () => {
  const report = assessHealth(healthy)
  assert.is(report.healthy, true)
  assert.equal(report.problems, [])
  assert.is(
    healthText(report),
    'healthy: controller broker 1; 3 of 3 brokers alive; 0 offline and 0 under-replicated of 2 partitions\n',
  )
})

test('each failure makes it unhealthy and is named', () => {
  const down = assessHealth({
    ...healthy,
    brokers: [broker(1, 'alive'), broker(2, 'alive'), broker(3, 'down')],
  })
  assert.is(down.healthy, false)
  assert.match(down.problems.join('\n'), /broker 3 \(127\.0\.0\.1:7173\) is down/)
  const catching = assessHealth({
    ...healthy,
    brokers: [broker(1, 'alive'), { ...broker(2, 'catching-up'), progressPercent: 40 }],
  })
  assert.match(catching.problems.join('\n'), /broker 2 .* is catching up \(40% held\)/)
  const offline = assessHealth({ ...healthy, partitions: [partition(0, -1, [])] })
  assert.equal(
    offline.partitions.offline.map((entry) => entry.partition),
    [0],
  )
  assert.equal(offline.partitions.underReplicated, [], 'offline is not counted twice')
  const under = assessHealth({ ...healthy, partitions: [partition(0, 1, [1, 2])] })
  assert.match(under.problems.join('\n'), /orders\/0 is under-replicated: in sync 1,2 of replicas 1,2,3/)
  const noController = assessHealth({ ...healthy, controllerId: -1 })
  assert.is(noController.healthy, false)
  assert.match(healthText(noController), /^UNHEALTHY: controller none elected/)
})

test('a draining broker is noted, not a failure; unknown liveness (an old broker) is not judged', () => {
  const draining = assessHealth({
    ...healthy,
    brokers: [broker(1, 'alive'), broker(2, 'draining'), broker(3, undefined)],
  })
  assert.is(draining.healthy, true)
  assert.match(draining.problems.join('\n'), /broker 2 is draining/)
})

test.run()
