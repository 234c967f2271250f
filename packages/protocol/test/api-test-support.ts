// Shared by the API codec tests: an encode → decode round trip through the msgpack body codec, and
// an assertion that a decoder refuses a bad shape with INVALID_REQUEST naming the field.
import * as assert from 'uvu/assert'
import type { ApiDefinition } from '../src/apis/index.js'
import { decodeBody, encodeBody } from '../src/body-codec.js'
import { isWeirError } from '../src/weir-error.js'

export function roundTrip<Request, Response>(
  api: ApiDefinition<Request, Response>,
  request: Request,
  response: Response,
): void {
  assert.equal(api.decodeRequest(decodeBody(encodeBody(request), api.name)), request, `${api.name} request`)
  assert.equal(
    api.decodeResponse(decodeBody(encodeBody(response), api.name)),
    response,
    `${api.name} response`,
  )
}

export function rejects(run: () => unknown, fieldPattern: RegExp): void {
  try {
    run()
    assert.unreachable('should have thrown')
  } catch (error) {
    assert.ok(isWeirError(error, 'INVALID_REQUEST'), String(error))
    assert.match((error as Error).message, fieldPattern)
  }
}
