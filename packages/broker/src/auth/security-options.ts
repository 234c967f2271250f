// The client listener's security options: TLS (certificate files, optional client certificates)
// and SASL (which mechanisms, the first user). Checked with the other options before anything is
// opened; a bad value is INVALID_CONFIG naming the key and what to write instead.
import { hasControlCharacter, WeirError } from '@weir/protocol'
import type { SaslMechanismName } from './sasl-exchange.js'

export interface TlsListenerOptions {
  /** PEM certificate chain the broker presents (`--tls-cert`). */
  readonly certFile: string
  /** Its PEM private key (`--tls-key`). */
  readonly keyFile: string
  /** PEM CA bundle client certificates must chain to (`--tls-ca`); needed for clientAuth 'required'. */
  readonly caFile?: string
  /** 'required': every client presents a certificate; its subject becomes the principal (mTLS). */
  readonly clientAuth?: 'required' | 'none'
}

/** Option spelling of the mechanisms (`--sasl-mechanisms scram-sha-256,plain`). */
export const saslMechanismOptions = ['scram-sha-256', 'scram-sha-512', 'plain'] as const
export type SaslMechanismOption = (typeof saslMechanismOptions)[number]

export interface SecurityOptions {
  readonly tls:
    | (Required<Pick<TlsListenerOptions, 'certFile' | 'keyFile' | 'clientAuth'>> & {
        readonly caFile: string | undefined
      })
    | undefined
  /** Wire names; empty when SASL is off. */
  readonly saslMechanisms: readonly SaslMechanismName[]
  readonly bootstrapUserFile: string | undefined
}

function invalid(message: string): never {
  throw new WeirError('INVALID_CONFIG', message)
}

function path(value: unknown, key: string): string {
  if (typeof value !== 'string' || value === '')
    invalid(`${key} must be a file path, got ${JSON.stringify(value)}`)
  return value
}

export function resolveTlsOptions(given: unknown, key = 'tls'): SecurityOptions['tls'] {
  if (given === undefined || given === null) return undefined
  if (typeof given !== 'object' || Array.isArray(given))
    invalid(`${key} must be { certFile, keyFile, caFile?, clientAuth? }`)
  const fields = given as Record<string, unknown>
  for (const name of Object.keys(fields)) {
    if (!['certFile', 'keyFile', 'caFile', 'clientAuth'].includes(name))
      invalid(`${key}: unknown key ${JSON.stringify(name)}; known: certFile, keyFile, caFile, clientAuth`)
  }
  const clientAuth = fields.clientAuth ?? 'none'
  if (clientAuth !== 'required' && clientAuth !== 'none')
    invalid(`${key}.clientAuth must be 'required' or 'none', got ${JSON.stringify(clientAuth)}`)
  const caFile = fields.caFile === undefined ? undefined : path(fields.caFile, `${key}.caFile (--tls-ca)`)
  if (clientAuth === 'required' && caFile === undefined)
    invalid(
      `${key}.clientAuth 'required' needs ${key}.caFile (--tls-ca): the CA client certificates must chain to`,
    )
  return {
    certFile: path(fields.certFile, `${key}.certFile (--tls-cert)`),
    keyFile: path(fields.keyFile, `${key}.keyFile (--tls-key)`),
    caFile,
    clientAuth,
  }
}

/** `scram-sha-256,plain` or a list; duplicates collapse. Empty list: SASL off. */
export function resolveSaslMechanisms(given: unknown, key = 'saslMechanisms'): SaslMechanismName[] {
  if (given === undefined || given === null) return []
  const items =
    typeof given === 'string'
      ? given
          .split(',')
          .map((item) => item.trim())
          .filter((item) => item !== '')
      : Array.isArray(given)
        ? given
        : invalid(`${key} must be a list such as scram-sha-256,scram-sha-512`)
  const names = new Set<SaslMechanismName>()
  for (const item of items) {
    if (typeof item !== 'string' || !(saslMechanismOptions as readonly string[]).includes(item.toLowerCase()))
      invalid(`${key}: ${JSON.stringify(item)} is not one of ${saslMechanismOptions.join(', ')}`)
    names.add(item.toUpperCase() as SaslMechanismName)
  }
  return [...names]
}

export function resolveSecurityOptions(options: {
  readonly tls?: unknown
  readonly saslMechanisms?: unknown
  readonly bootstrapUserFile?: unknown
}): SecurityOptions {
  const saslMechanisms = resolveSaslMechanisms(options.saslMechanisms)
  const bootstrapUserFile =
    options.bootstrapUserFile === undefined ? undefined : path(options.bootstrapUserFile, 'bootstrapUserFile')
  if (bootstrapUserFile !== undefined && saslMechanisms.length === 0)
    invalid('bootstrapUserFile (--bootstrap-user-file) needs SASL on: add --sasl-mechanisms scram-sha-256')
  return { tls: resolveTlsOptions(options.tls), saslMechanisms, bootstrapUserFile }
}

/**
 * The bootstrap user file: one line `name:password` (the password may contain ':'). Errors name
 * the file, never its content.
 */
export function parseBootstrapUser(text: string, file: string): { name: string; password: string } {
  const line = text.replace(/\r?\n$/, '')
  const colon = line.indexOf(':')
  if (line.includes('\n') || colon < 1 || colon === line.length - 1)
    invalid(`bootstrap user file ${file} must hold one line name:password`)
  const name = line.slice(0, colon)
  if (name.length > 255 || hasControlCharacter(name))
    invalid(`bootstrap user file ${file}: the name must be 1 to 255 characters without control characters`)
  return { name, password: line.slice(colon + 1) }
}
