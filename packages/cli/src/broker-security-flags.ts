// `weir broker`'s TLS and SASL flags as BrokerOptions. A TLS flag replaces the config file's tls
// block field by field, so `--tls-client-auth required` can be added to a file that names the
// certificates. Paths resolve against the directory the command ran in. Only broker-command.ts
// may import @weir/broker, so the option shapes are written out here (BrokerOptions checks them).
import { UsageError, userPath } from './flags.js'

export interface SecurityFlags {
  readonly 'tls-cert'?: string
  readonly 'tls-key'?: string
  readonly 'tls-ca'?: string
  readonly 'tls-client-auth'?: string
  readonly 'sasl-mechanisms'?: string
  readonly 'bootstrap-user-file'?: string
}

interface TlsOptions {
  readonly certFile: string
  readonly keyFile: string
  readonly caFile?: string
  readonly clientAuth?: 'required' | 'none'
}

export interface BrokerSecurityOptions {
  tls?: TlsOptions
  saslMechanisms?: string
  bootstrapUserFile?: string
}

export function securityFlags(
  flags: SecurityFlags,
  file: { readonly tls?: Partial<TlsOptions> | undefined },
): BrokerSecurityOptions {
  const clientAuth = flags['tls-client-auth']
  if (clientAuth !== undefined && clientAuth !== 'required' && clientAuth !== 'none')
    throw new UsageError(`--tls-client-auth must be required or none, got ${JSON.stringify(clientAuth)}`)
  const given = {
    ...(flags['tls-cert'] === undefined ? {} : { certFile: userPath(flags['tls-cert']) }),
    ...(flags['tls-key'] === undefined ? {} : { keyFile: userPath(flags['tls-key']) }),
    ...(flags['tls-ca'] === undefined ? {} : { caFile: userPath(flags['tls-ca']) }),
    ...(clientAuth === undefined ? {} : { clientAuth }),
  }
  const options: BrokerSecurityOptions = {}
  if (Object.keys(given).length > 0) {
    const tls = { ...file.tls, ...given } as Partial<TlsOptions>
    if (tls.certFile === undefined || tls.keyFile === undefined)
      throw new UsageError('TLS needs both --tls-cert and --tls-key')
    options.tls = tls as TlsOptions
  }
  if (flags['sasl-mechanisms'] !== undefined) options.saslMechanisms = flags['sasl-mechanisms']
  if (flags['bootstrap-user-file'] !== undefined)
    options.bootstrapUserFile = userPath(flags['bootstrap-user-file'])
  return options
}
