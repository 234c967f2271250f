// The TLS and SASL flags of every client command, turned into the client's `tls` and `sasl`
// options. Files are read here (a bad path is a usage error naming the flag); the password comes
// from --sasl-password or, better, WEIR_SASL_PASSWORD, so it stays out of shell history.
import { readFileSync } from 'node:fs'
import type { ClientOptions, SaslMechanism } from '@weir/client'
import { saslMechanisms } from '@weir/client'
import { UsageError, userPath } from './flags.js'

export const securityFlagOptions = {
  'tls-ca': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'tls-servername': { type: 'string' },
  'sasl-mechanism': { type: 'string' },
  'sasl-username': { type: 'string' },
  'sasl-password': { type: 'string' },
} as const

export interface SecurityFlags {
  readonly 'tls-ca'?: string | undefined
  readonly 'tls-cert'?: string | undefined
  readonly 'tls-key'?: string | undefined
  readonly 'tls-servername'?: string | undefined
  readonly 'sasl-mechanism'?: string | undefined
  readonly 'sasl-username'?: string | undefined
  readonly 'sasl-password'?: string | undefined
}

export function readFlagFile(path: string, flag: string): string {
  try {
    return readFileSync(userPath(path), 'utf8')
  } catch (error) {
    throw new UsageError(`${flag}: cannot read ${path}: ${(error as Error).message}`)
  }
}

function tlsOptions(flags: SecurityFlags): ClientOptions['tls'] {
  const { 'tls-ca': ca, 'tls-cert': cert, 'tls-key': key, 'tls-servername': servername } = flags
  if ([ca, cert, key, servername].every((value) => value === undefined)) return undefined
  if ((cert === undefined) !== (key === undefined))
    throw new UsageError('--tls-cert and --tls-key go together (a client certificate and its key)')
  return {
    ...(ca === undefined ? {} : { ca: readFlagFile(ca, '--tls-ca') }),
    ...(cert === undefined ? {} : { cert: readFlagFile(cert, '--tls-cert') }),
    ...(key === undefined ? {} : { key: readFlagFile(key, '--tls-key') }),
    ...(servername === undefined ? {} : { servername }),
  }
}

function saslOptions(flags: SecurityFlags, environment: NodeJS.ProcessEnv): ClientOptions['sasl'] {
  const mechanism = flags['sasl-mechanism']
  const username = flags['sasl-username']
  const password = flags['sasl-password'] ?? environment.WEIR_SASL_PASSWORD
  if (mechanism === undefined && username === undefined) return undefined
  if (mechanism === undefined || !(saslMechanisms as readonly string[]).includes(mechanism))
    throw new UsageError(
      `--sasl-mechanism must be one of ${saslMechanisms.join(', ')}, got ${JSON.stringify(mechanism)}`,
    )
  if (username === undefined || username === '')
    throw new UsageError('--sasl-mechanism needs --sasl-username')
  if (password === undefined)
    throw new UsageError('--sasl-username needs a password: set WEIR_SASL_PASSWORD (or pass --sasl-password)')
  return { mechanism: mechanism as SaslMechanism, username, password }
}

/** The client's `tls` and `sasl` options from the flags (absent when no flag asks for them). */
export function securityOptions(
  flags: SecurityFlags,
  environment: NodeJS.ProcessEnv = process.env,
): Pick<ClientOptions, 'tls' | 'sasl'> {
  const tls = tlsOptions(flags)
  const sasl = saslOptions(flags, environment)
  return { ...(tls === undefined ? {} : { tls }), ...(sasl === undefined ? {} : { sasl }) }
}
