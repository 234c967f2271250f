// Where a client command connects and how, from flags, environment and profile. Pure: the caller
// passes the environment and the loaded profile. Precedence, highest first, as rpk and kcat do:
// -b/--brokers or --bootstrap, then WEIR_BROKERS or WEIR_BOOTSTRAP, then the profile, then
// 127.0.0.1:7171. TLS and SASL settings: a flag beats the profile, field by field; the SASL
// password: --sasl-password, then WEIR_SASL_PASSWORD, then the profile.
import { UsageError } from './flags.js'
import type { Profile } from './profiles.js'
import type { SecurityFlags } from './security-flags.js'

export const defaultBrokers = '127.0.0.1:7171'

export interface ConnectionFlags extends SecurityFlags {
  readonly brokers?: string | undefined
  readonly bootstrap?: string | undefined
}

const addressPattern = /^[^:\s,]+:\d{1,5}$/

/** "a:1,b:2" as a list; every entry must be HOST:PORT, and `origin` says where the text came from. */
export function parseBrokerList(text: string, origin: string): string[] {
  const entries = text.split(',').map((entry) => entry.trim())
  for (const entry of entries)
    if (!addressPattern.test(entry))
      throw new UsageError(`${origin} must be HOST:PORT[,HOST:PORT...], got ${JSON.stringify(text)}`)
  return entries
}

export function resolveBrokers(
  flags: ConnectionFlags,
  environment: NodeJS.ProcessEnv,
  profile: Profile | undefined,
): string[] {
  if (flags.brokers !== undefined && flags.bootstrap !== undefined)
    throw new UsageError('give -b/--brokers or --bootstrap, not both (they mean the same)')
  if (flags.brokers !== undefined) return parseBrokerList(flags.brokers, '-b/--brokers')
  if (flags.bootstrap !== undefined) return parseBrokerList(flags.bootstrap, '--bootstrap')
  if (environment.WEIR_BROKERS) return parseBrokerList(environment.WEIR_BROKERS, 'WEIR_BROKERS')
  if (environment.WEIR_BOOTSTRAP) return parseBrokerList(environment.WEIR_BOOTSTRAP, 'WEIR_BOOTSTRAP')
  if (profile?.brokers !== undefined)
    return parseBrokerList(profile.brokers.join(','), 'the profile\'s "brokers"')
  return [defaultBrokers]
}

/** The TLS and SASL flags with the profile filling the gaps (see the precedence above). */
export function resolveSecurity(
  flags: SecurityFlags,
  environment: NodeJS.ProcessEnv,
  profile: Profile | undefined,
): SecurityFlags {
  const tls = profile?.tls ?? {}
  const sasl = profile?.sasl ?? {}
  const password = flags['sasl-password'] ?? environment.WEIR_SASL_PASSWORD ?? sasl.password
  return {
    'tls-ca': flags['tls-ca'] ?? tls.ca,
    'tls-cert': flags['tls-cert'] ?? tls.cert,
    'tls-key': flags['tls-key'] ?? tls.key,
    'tls-servername': flags['tls-servername'] ?? tls.servername,
    'sasl-mechanism': flags['sasl-mechanism'] ?? sasl.mechanism,
    'sasl-username': flags['sasl-username'] ?? sasl.username,
    'sasl-password': password,
  }
}
