import { ErrorCodes, type ErrorName, errorNameOf } from './error-codes.js'

/**
 * The error every Weir package throws for operating errors (bad input, full disks, missing
 * topics). `code` names an entry of the shared table, so a broker can send it on the wire and a
 * client can rebuild the same error from the number.
 */
export class WeirError extends Error {
  override readonly name = 'WeirError'
  readonly code: ErrorName
  readonly errorCode: number
  readonly retriable: boolean

  constructor(code: ErrorName, detail?: string, options?: { cause?: unknown }) {
    const entry = ErrorCodes[code]
    super(detail ? `${detail}. ${entry.message}` : entry.message, options)
    this.code = code
    this.errorCode = entry.code
    this.retriable = entry.retriable
  }
}

/** Rebuilds the error a broker sent as a wire code; an unknown code becomes UNKNOWN_SERVER_ERROR. */
export function errorFromWire(errorCode: number, errorMessage?: string): WeirError {
  const name = errorNameOf(errorCode)
  if (name === undefined)
    return new WeirError(
      'UNKNOWN_SERVER_ERROR',
      `broker sent unknown error code ${errorCode}${errorMessage ? `: ${errorMessage}` : ''}`,
    )
  const error = new WeirError(name)
  if (errorMessage) error.message = errorMessage
  return error
}

export function isWeirError(error: unknown, code?: ErrorName): error is WeirError {
  return error instanceof WeirError && (code === undefined || error.code === code)
}
