// `authorizer` and `superUsers` in BrokerOptions and weir.json, checked at start-up.
import { WeirError } from '@weir/protocol'
import type { AuthorizerConfig } from './authorizer.js'

export const authorizerNames = ['acl'] as const
export type AuthorizerName = (typeof authorizerNames)[number]

export interface AuthorizerOptions {
  /** 'acl': every request needs an ACL allowing it (deny by default). Absent: open, as before. */
  readonly authorizer?: AuthorizerName
  /** Principals allowed everything: `User:admin,User:ops` or a list. */
  readonly superUsers?: string | readonly string[]
}

export function resolveAuthorizer(options: AuthorizerOptions, where = ''): AuthorizerConfig {
  const { authorizer, superUsers } = options
  if (authorizer !== undefined && !(authorizerNames as readonly unknown[]).includes(authorizer)) {
    throw new WeirError(
      'INVALID_CONFIG',
      `${where}authorizer must be "acl" (or left out for an open broker), got ${JSON.stringify(authorizer)}`,
    )
  }
  return { enabled: authorizer === 'acl', superUsers: parseSuperUsers(superUsers, where) }
}

function parseSuperUsers(given: unknown, where: string): string[] {
  if (given === undefined) return []
  const list =
    typeof given === 'string'
      ? given
          .split(',')
          .map((entry) => entry.trim())
          .filter((entry) => entry !== '')
      : given
  if (!Array.isArray(list) || !list.every((entry) => typeof entry === 'string' && /^User:.+$/s.test(entry))) {
    throw new WeirError(
      'INVALID_CONFIG',
      `${where}superUsers must be principals like User:admin (comma-separated, or a list), got ${JSON.stringify(given)}`,
    )
  }
  return list
}

/**
 * Whether anything proves who a client is: SASL mechanisms or client certificates (added by the
 * authentication options; read defensively so this holds whichever of them a build has).
 */
export function authenticationConfigured(options: object): boolean {
  const fields = options as { saslMechanisms?: unknown; tls?: { clientAuth?: unknown } }
  const sasl = Array.isArray(fields.saslMechanisms)
    ? fields.saslMechanisms.length > 0
    : fields.saslMechanisms !== undefined
  return sasl || fields.tls?.clientAuth === 'required'
}

/** The one warning an open broker logs at start, or undefined when something guards it. */
export function openBrokerWarning(config: AuthorizerConfig, options: object): string | undefined {
  if (config.enabled || authenticationConfigured(options)) return undefined
  return 'this broker is open: no authentication and no authorizer, so anyone who can reach its port can read, write and delete every topic and group; see docs/security.md (--authorizer acl, SASL, TLS)'
}
