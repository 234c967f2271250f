// Proves the drain mark as controller records: a drain and an undrain change the image's draining
// set in log order, a malformed record is refused naming the field, and the controller leader
// refuses to drain a broker that is not in the cluster.
import { isWeirError } from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ClusterImage, type MetadataRecord } from '../../src/cluster/cluster-image.js'
import { checkMetadataRecord, checkProposal } from '../../src/cluster/metadata-record-check.js'

const drain = (id: number, draining: boolean): MetadataRecord => ({
  type: 'brokerDrainChanged',
  id,
  draining,
})

test('drain and undrain records set and clear the mark, in log order', () => {
  const image = new ClusterImage()
  image.apply(drain(2, true))
  image.apply(drain(3, true))
  assert.equal([...image.drainingBrokers()].sort(), [2, 3])
  image.apply(drain(2, false))
  assert.equal([...image.drainingBrokers()], [3])
  image.apply(drain(2, false))
  assert.equal([...image.drainingBrokers()], [3], 'undraining a broker that is not draining changes nothing')
})

test('a malformed drain record is INVALID_REQUEST naming the field', () => {
  for (const [record, field] of [
    [{ type: 'brokerDrainChanged', id: 0, draining: true }, /id/],
    [{ type: 'brokerDrainChanged', id: 2, draining: 'yes' }, /draining/],
  ] as const) {
    try {
      checkMetadataRecord(record)
      assert.unreachable('should have thrown')
    } catch (error) {
      assert.ok(isWeirError(error, 'INVALID_REQUEST'), String(error))
      assert.match((error as Error).message, field)
    }
  }
  assert.equal(checkMetadataRecord(drain(2, true)), drain(2, true))
})

test('the controller leader refuses to drain a broker outside the cluster', () => {
  const context = { image: new ClusterImage(), brokerIds: [1, 2, 3], origin: 'user' as const }
  checkProposal(drain(3, true), context)
  try {
    checkProposal(drain(9, true), context)
    assert.unreachable('should have thrown')
  } catch (error) {
    assert.ok(isWeirError(error, 'INVALID_CONFIG'), String(error))
    assert.match((error as Error).message, /broker 9 is not in this cluster \(brokers 1, 2, 3\)/)
  }
})

test.run()
