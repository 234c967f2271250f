// One connection's SASL conversation, as a small state machine: handshake (pick a mechanism),
// then one step (PLAIN) or two (SCRAM: client-first, client-final), then done or failed. The
// broker never learns a password from SCRAM: it checks the proof against the stored credential.
// An unknown user is answered with a fake credential derived from the server secret, so the
// exchange costs the same and reveals nothing about which names exist.
import {
  fakeScramCredential,
  type ParsedClientFirst,
  parseClientFirst,
  parsePlainMessage,
  type ScramCredential,
  type ScramMechanism,
  type ServerFirst,
  serverFirstMessage,
  verifyClientFinal,
  verifyPlainPassword,
  WeirError,
} from '@weir/protocol'
import type { UserDirectory } from './user-records.js'

/** SASL mechanism names as they travel in SaslHandshake. */
export const SaslMechanismNames = ['SCRAM-SHA-256', 'SCRAM-SHA-512', 'PLAIN'] as const
export type SaslMechanismName = (typeof SaslMechanismNames)[number]

export interface SaslSettings {
  /** What this listener offers; PLAIN is offered only on encrypted connections. */
  readonly mechanisms: readonly SaslMechanismName[]
  /** Derives the fake credentials of unknown users; random per broker process. */
  readonly serverSecret: Buffer
  readonly users: Pick<UserDirectory, 'credential'>
  /** A fresh server nonce: printable, no commas, unguessable. */
  readonly nonce: () => string
}

type State =
  | { readonly step: 'handshake' }
  | { readonly step: 'first'; readonly mechanism: SaslMechanismName }
  | {
      readonly step: 'final'
      readonly mechanism: ScramMechanism
      readonly credential: ScramCredential
      readonly clientFirst: ParsedClientFirst
      readonly serverFirst: ServerFirst
      /** False when the credential is a fake: the proof is checked anyway, then refused. */
      readonly known: boolean
    }
  | { readonly step: 'done' }
  | { readonly step: 'failed' }

export interface SaslStep {
  /** Bytes for the client (server-first, server-final; empty for PLAIN). */
  readonly reply: Buffer
  /** Set when the exchange completed: the authenticated user name. */
  readonly username?: string
}

export class SaslExchange {
  private state: State = { step: 'handshake' }

  constructor(
    private readonly settings: SaslSettings,
    /** Whether the connection is TLS: PLAIN sends the password itself and needs it. */
    private readonly encrypted: boolean,
  ) {}

  /** True after a failed step: the connection must be closed once the answer is sent. */
  get failed(): boolean {
    return this.state.step === 'failed'
  }

  /** The mechanisms this connection may use. */
  offered(): SaslMechanismName[] {
    return this.settings.mechanisms.filter((name) => name !== 'PLAIN' || this.encrypted)
  }

  /** Errors: ILLEGAL_SASL_STATE (a second handshake), UNSUPPORTED_SASL_MECHANISM. */
  handshake(mechanism: string): void {
    if (this.state.step !== 'handshake')
      throw new WeirError('ILLEGAL_SASL_STATE', 'SaslHandshake was already sent on this connection')
    const offered = this.offered()
    if (!(offered as readonly string[]).includes(mechanism)) {
      const plainOnly = mechanism === 'PLAIN' && this.settings.mechanisms.includes('PLAIN')
      throw new WeirError(
        'UNSUPPORTED_SASL_MECHANISM',
        plainOnly
          ? 'PLAIN is offered over TLS only (it sends the password itself); connect with TLS or use SCRAM-SHA-256'
          : `${mechanism} is not offered here; this listener offers ${offered.join(', ') || 'none'}`,
      )
    }
    this.state = { step: 'first', mechanism: mechanism as SaslMechanismName }
  }

  /** One SaslAuthenticate step. Errors: ILLEGAL_SASL_STATE, SASL_AUTHENTICATION_FAILED (then `failed`). */
  authenticate(bytes: Buffer): SaslStep {
    const state = this.state
    if (state.step === 'handshake' || state.step === 'done' || state.step === 'failed') {
      throw new WeirError(
        'ILLEGAL_SASL_STATE',
        state.step === 'handshake'
          ? 'send SaslHandshake before SaslAuthenticate'
          : 'this connection already finished its SASL exchange',
      )
    }
    try {
      if (state.step === 'final') return this.scramFinal(state, bytes)
      if (state.mechanism === 'PLAIN') return this.plain(bytes)
      return this.scramFirst(state.mechanism as ScramMechanism, bytes)
    } catch (error) {
      this.state = { step: 'failed' }
      throw error
    }
  }

  private scramFirst(mechanism: ScramMechanism, bytes: Buffer): SaslStep {
    const clientFirst = parseClientFirst(bytes.toString('utf8'))
    const stored = this.settings.users.credential(clientFirst.username, mechanism)
    // Derived for every user, known or not, so both paths do the same work before answering.
    const fake = fakeScramCredential(mechanism, this.settings.serverSecret, clientFirst.username)
    const credential = stored ?? fake
    const serverFirst = serverFirstMessage(clientFirst.clientNonce, this.settings.nonce(), credential)
    this.state = {
      step: 'final',
      mechanism,
      credential,
      clientFirst,
      serverFirst,
      known: stored !== undefined,
    }
    return { reply: Buffer.from(serverFirst.message) }
  }

  private scramFinal(state: Extract<State, { step: 'final' }>, bytes: Buffer): SaslStep {
    const { mechanism, credential, clientFirst, serverFirst } = state
    const serverFinal = verifyClientFinal(
      mechanism,
      credential,
      clientFirst,
      serverFirst,
      bytes.toString('utf8'),
    )
    // Belt and braces: a fake credential's keys are secret, so no proof should verify against it.
    if (!state.known) throw wrongCredentials()
    this.state = { step: 'done' }
    return { reply: Buffer.from(serverFinal), username: clientFirst.username }
  }

  private plain(bytes: Buffer): SaslStep {
    const { username, password } = parsePlainMessage(bytes)
    const mechanism: ScramMechanism = this.settings.users.credential(username, 'SCRAM-SHA-256')
      ? 'SCRAM-SHA-256'
      : 'SCRAM-SHA-512'
    const stored = this.settings.users.credential(username, mechanism)
    const fake = fakeScramCredential(mechanism, this.settings.serverSecret, username)
    const credential = stored ?? fake
    // The same salting work whether or not the user exists.
    const matches = verifyPlainPassword(mechanism, credential, password)
    if (!matches || stored === undefined) throw wrongCredentials()
    this.state = { step: 'done' }
    return { reply: Buffer.alloc(0), username }
  }
}

function wrongCredentials(): WeirError {
  return new WeirError('SASL_AUTHENTICATION_FAILED', 'wrong user name or password')
}

export function isSaslMechanismName(name: string): name is SaslMechanismName {
  return (SaslMechanismNames as readonly string[]).includes(name)
}
