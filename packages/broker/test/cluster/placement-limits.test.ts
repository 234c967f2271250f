// Proves maxTopics and maxPartitionsPerBroker: a change past either is refused with POLICY_VIOLATION, counting each broker's replicas.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ClusterImage } from '../../src/cluster/cluster-image.js'
import { checkPlacement, replicasPerBroker } from '../../src/cluster/placement-limits.js'

function imageWith(...topics: (readonly number[])[][]): ClusterImage {
  const image = new ClusterImage()
  for (const [index, replicas] of topics.entries())
    image.apply({ type: 'topicCreated', name: `t${index}`, id: `id${index}`, config: {}, replicas })
  return image
}

const refused = (run: () => void, pattern: RegExp) => {
  try {
    run()
  } catch (error) {
    assert.is((error as { code?: string }).code, 'POLICY_VIOLATION')
    assert.match((error as Error).message, pattern)
    return
  }
  assert.unreachable('expected POLICY_VIOLATION')
}

test('replicas are counted per broker over every topic', () => {
  const image = imageWith(
    [
      [1, 2],
      [2, 3],
    ],
    [[1]],
  )
  assert.equal([...replicasPerBroker(image)].sort(), [
    [1, 2],
    [2, 2],
    [3, 1],
  ])
})

test('maxTopics: the next topic past it is refused; partitions of an existing topic are not topics', () => {
  const image = imageWith([[1]], [[1]])
  const limits = { maxTopics: 2, maxPartitionsPerBroker: 100 }
  refused(() => checkPlacement(image, { newTopic: true, newReplicas: [[1]] }, limits), /maxTopics/)
  checkPlacement(image, { newTopic: false, newReplicas: [[1]] }, limits)
})

test('maxPartitionsPerBroker: refused once any broker would host more, naming it', () => {
  const image = imageWith([
    [1, 2],
    [2, 1],
  ])
  const limits = { maxTopics: 10, maxPartitionsPerBroker: 3 }
  checkPlacement(image, { newTopic: true, newReplicas: [[1, 2]] }, limits)
  refused(
    () =>
      checkPlacement(
        image,
        {
          newTopic: true,
          newReplicas: [
            [3, 2],
            [2, 3],
          ],
        },
        limits,
      ),
    /broker 2 would host 4/,
  )
})

test('a broker already past a lowered limit does not block changes that add nothing to it', () => {
  const image = imageWith([[1], [1], [1]])
  checkPlacement(image, { newTopic: true, newReplicas: [[2]] }, { maxTopics: 10, maxPartitionsPerBroker: 2 })
})

test.run()
