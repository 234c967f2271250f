// Who is on the other end of one connection, as ACLs name principals. It starts anonymous and
// changes once, when the connection authenticates (SASL, or a client certificate under mTLS).
export const anonymousPrincipal = 'User:ANONYMOUS'

export interface Session {
  /** 'User:alice', or 'User:ANONYMOUS' before (or without) authentication. */
  principal: string
  /** True once SASL (or an mTLS certificate) proved who this is. */
  authenticated: boolean
}

export function anonymousSession(): Session {
  return { principal: anonymousPrincipal, authenticated: false }
}
