// The errors every Transport reports, worded once so TCP and the in-memory network say the same
// thing: what failed, at which address, and what to do next.
import type { TransportAddress } from '../environment.js'
import { WeirError } from '../weir-error.js'

/** Nothing answered at `address` (refused, timed out, unreachable): retriable. */
export function connectError(address: TransportAddress, detail: string, cause?: unknown): WeirError {
  return new WeirError(
    'BROKER_UNAVAILABLE',
    `cannot connect to ${address.host}:${address.port}: ${detail}; check that a broker listens there (the client retries with backoff)`,
    { cause },
  )
}

/** The port is taken by another listener: a configuration error, not retriable. */
export function addressInUseError(address: TransportAddress, cause?: unknown): WeirError {
  const { host, port } = address
  return new WeirError(
    'INVALID_CONFIG',
    `port ${port} on ${host} is already in use (another weir broker?); stop that process or pass --listen ${host}:<free port>`,
    { cause },
  )
}

/** The host cannot be bound here (EADDRNOTAVAIL, ENOTFOUND, EACCES): a configuration error. */
export function cannotListenError(
  address: TransportAddress,
  code: string,
  message: string,
  cause?: unknown,
): WeirError {
  return new WeirError(
    'INVALID_CONFIG',
    `cannot listen on ${address.host}:${address.port} (${code}): ${message}`,
    {
      cause,
    },
  )
}

/** A listen failure in words: the port in use or the host unusable are config errors. */
export function listenError(error: NodeJS.ErrnoException, address: TransportAddress): Error {
  if (error.code === 'EADDRINUSE') return addressInUseError(address, error)
  if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND' || error.code === 'EACCES') {
    return cannotListenError(address, error.code, error.message, error)
  }
  return error
}
