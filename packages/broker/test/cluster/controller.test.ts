// Proves a metadata change retried after its first attempt committed is answered as done, not
// refused: a leader that steps down right after appending (its entry committed by the next
// leader), or a forwarded change whose answer was lost. Both used to answer UNKNOWN_TOPIC to a
// delete that had happened (seen in CI as a flaky topic-lifecycle run).
import { decodeBody, decodeRecordBatch, nodeClock, nodeTimers, WeirError } from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ClusterImage, type MetadataRecord } from '../../src/cluster/cluster-image.js'
import { Controller, type ControllerLog } from '../../src/cluster/controller.js'

const environment = { clock: nodeClock, timers: nodeTimers, random: Math.random }
const brokerIds = [1, 2, 3]
const brokers = () =>
  brokerIds.map((id) => ({ id, host: '127.0.0.1', port: 7000 + 2 * id, peerPort: 7001 + 2 * id }))

function imageWithTopic(): ClusterImage {
  const image = new ClusterImage()
  image.apply({ type: 'topicCreated', name: 'ledger', id: 'first', config: {}, replicas: [[1, 2, 3]] })
  return image
}

/** A leader whose proposals commit (they reach the image) but whose first answer is NOT_LEADER. */
function leaderThatLosesFirstAnswer(image: ClusterImage, committed: MetadataRecord[]): ControllerLog {
  let proposals = 0
  return {
    isLeader: true,
    leaderId: 1,
    caughtUp: () => Promise.resolve(),
    notLeader: () => new WeirError('NOT_LEADER', 'stepped down'),
    propose(batches) {
      proposals++
      for (const batch of batches) {
        for (const stored of decodeRecordBatch(batch).records) {
          const record = decodeBody(stored.value ?? Buffer.alloc(0), 'test') as MetadataRecord
          image.apply(record)
          committed.push(record)
        }
      }
      const done =
        proposals === 1
          ? Promise.reject(new WeirError('NOT_LEADER', 'stepped down after appending'))
          : Promise.resolve()
      done.catch(() => {})
      return { baseOffset: 0, done }
    },
  }
}

test('a delete retried after its first attempt committed succeeds, and commits once', async () => {
  const image = imageWithTopic()
  const committed: MetadataRecord[] = []
  const links = { request: () => Promise.reject(new Error('no forwarding expected')) }
  const controller = new Controller(
    leaderThatLosesFirstAnswer(image, committed),
    image,
    links,
    environment,
    brokers,
  )
  await controller.submit({ type: 'topicDeleted', name: 'ledger' }, 5000)
  assert.is(image.topic('ledger'), undefined)
  assert.is(committed.length, 1, 'the retry did not commit a second delete')
})

test('a forwarded change whose answer was lost is recognised by its change id', async () => {
  const image = imageWithTopic()
  const leaderImage = imageWithTopic()
  const follower: ControllerLog = {
    isLeader: false,
    leaderId: 2,
    caughtUp: () => Promise.resolve(),
    notLeader: () => new WeirError('NOT_LEADER', 'follower'),
    propose: () => {
      throw new Error('a follower does not propose')
    },
  }
  const leader = new Controller(
    {
      isLeader: true,
      leaderId: 2,
      caughtUp: () => Promise.resolve(),
      notLeader: () => new WeirError('NOT_LEADER', 'leader'),
      propose(batches) {
        for (const batch of batches) {
          for (const stored of decodeRecordBatch(batch).records)
            leaderImage.apply(decodeBody(stored.value ?? Buffer.alloc(0), 'test') as MetadataRecord)
        }
        return { baseOffset: 0, done: Promise.resolve() }
      },
    },
    leaderImage,
    { request: () => Promise.reject(new Error('unused')) },
    environment,
    brokers,
  )
  let forwards = 0
  const links = {
    // The leader commits every forwarded change; the first answer is lost on the way back.
    async request(_to: number, _api: unknown, body: { record: Buffer }) {
      forwards++
      await leader.proposeHere(decodeBody(body.record, 'test') as MetadataRecord)
      if (forwards === 1) throw new WeirError('REQUEST_TIMED_OUT', 'the answer was lost')
      return { errorCode: 0, leaderId: 2 }
    },
  }
  const controller = new Controller(follower, image, links as never, environment, brokers)
  await controller.submit({ type: 'topicDeleted', name: 'ledger' }, 5000)
  assert.is(forwards, 2)
  assert.is(leaderImage.topic('ledger'), undefined)
})

test('the image forgets the oldest change ids beyond its bound, never recent ones', () => {
  const image = new ClusterImage()
  for (let index = 0; index < 10_001; index++) {
    image.apply({ type: 'topicDeleted', name: `t${index}`, change: `c${index}` })
  }
  assert.not.ok(image.applied('c0'))
  assert.ok(image.applied('c1'))
  assert.ok(image.applied('c10000'))
})

test.run()
