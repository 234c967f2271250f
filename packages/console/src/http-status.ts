// Which HTTP status a failed console API call answers with. Pure: the error code decides.
import { isWeirError } from '@weir/protocol'

const notFound = new Set(['UNKNOWN_TOPIC', 'UNKNOWN_PARTITION', 'GROUP_ID_NOT_FOUND'])
const forbidden = new Set([
  'UNAUTHORIZED',
  'TOPIC_AUTHORIZATION_FAILED',
  'GROUP_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'SASL_AUTHENTICATION_FAILED',
])
const badRequest = new Set([
  'INVALID_CONSOLE_REQUEST',
  'INVALID_TOPIC',
  'INVALID_RECORD',
  'MESSAGE_TOO_LARGE',
])

export interface ErrorAnswer {
  readonly status: number
  readonly body: { readonly error: { readonly code: string; readonly message: string } }
}

/** 400 for bad input, 404 for what does not exist, 403 for ACLs, 429 for a busy console, 502 for the cluster's other failures. */
export function errorAnswer(error: unknown): ErrorAnswer {
  if (!isWeirError(error))
    return {
      status: 500,
      body: {
        error: {
          code: 'UNKNOWN_SERVER_ERROR',
          message: `the console failed: ${(error as Error)?.message ?? String(error)}; see its log`,
        },
      },
    }
  const status = badRequest.has(error.code)
    ? 400
    : notFound.has(error.code)
      ? 404
      : forbidden.has(error.code)
        ? 403
        : error.code === 'LIMIT_EXCEEDED'
          ? 429
          : 502
  return { status, body: { error: { code: error.code, message: error.message } } }
}
