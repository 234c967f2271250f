// The client listener's security at run time: the TLS transport it listens with, and for each
// accepted socket its starting session (a client certificate's subject under mTLS) and its SASL
// exchange. Reads the certificate and bootstrap-user files once, at start; the edge of the broker,
// so this is where the crypto randomness for nonces and the server secret comes from.
import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import {
  isEncrypted,
  peerSubject,
  type Transport,
  type TransportSocket,
  tlsTransport,
  WeirError,
} from '@weir/protocol'
import type { Logger } from 'pino'
import type { Cluster } from '../cluster/cluster.js'
import { anonymousSession, type Session } from '../session.js'
import { SaslExchange, type SaslSettings } from './sasl-exchange.js'
import { parseBootstrapUser, type SecurityOptions } from './security-options.js'
import { type BootstrapUser, ensureBootstrapUser } from './user-administration.js'

async function readSecret(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8')
  } catch (error) {
    throw new WeirError('INVALID_CONFIG', `cannot read ${what} ${file}: ${(error as Error).message}`)
  }
}

export class ClientSecurity {
  private constructor(
    private readonly options: SecurityOptions,
    private readonly transport: Transport | undefined,
    private readonly bootstrapUser: BootstrapUser | undefined,
    /** Fake credentials of unknown users derive from it; a new one per process is enough. */
    private readonly serverSecret: Buffer,
  ) {}

  /** Errors: INVALID_CONFIG naming an unreadable or malformed file. */
  static async load(options: SecurityOptions): Promise<ClientSecurity> {
    let transport: Transport | undefined
    if (options.tls !== undefined) {
      const { certFile, keyFile, caFile, clientAuth } = options.tls
      transport = tlsTransport({
        cert: await readSecret(certFile, 'TLS certificate (--tls-cert)'),
        key: await readSecret(keyFile, 'TLS key (--tls-key)'),
        ...(caFile === undefined ? {} : { ca: await readSecret(caFile, 'TLS CA (--tls-ca)') }),
        requireClientCertificate: clientAuth === 'required',
      })
    }
    const file = options.bootstrapUserFile
    const bootstrapUser =
      file === undefined
        ? undefined
        : parseBootstrapUser(await readSecret(file, 'bootstrap user file (--bootstrap-user-file)'), file)
    return new ClientSecurity(options, transport, bootstrapUser, randomBytes(32))
  }

  /** TLS when configured, else the environment's own transport. */
  listenTransport(fallback: Transport): Transport {
    return this.transport ?? fallback
  }

  /**
   * Registers the bootstrap user with the controller (created by its leader when missing), and
   * warns about settings that lock everyone out or can never apply.
   */
  start(cluster: Cluster, logger: Logger): void {
    const { saslMechanisms, tls } = this.options
    if (saslMechanisms.includes('PLAIN') && tls === undefined)
      logger.warn(
        'PLAIN is offered over TLS only and this listener is plain TCP: add --tls-cert/--tls-key or drop plain',
      )
    if (this.bootstrapUser !== undefined) {
      ensureBootstrapUser(cluster, this.bootstrapUser, logger)
      return
    }
    if (saslMechanisms.length === 0) return
    // The controller leader's image is current once its hooks run: no user there means no login.
    cluster.onControllerLeader(async () => {
      if (cluster.image.users.list().length === 0)
        logger.warn(
          'SASL is on but no user exists, so no client can log in: restart with --bootstrap-user-file FILE',
        )
    })
  }

  /**
   * The session and SASL exchange of a newly accepted connection. Only the client listener is
   * secured here: peers prove themselves on the peer listener (mutual TLS or the cluster secret).
   */
  forConnection(
    socket: TransportSocket,
    cluster: Cluster,
    listener: 'client' | 'peer',
  ): { session: Session; sasl?: SaslExchange } {
    const session = anonymousSession()
    if (listener === 'peer') return { session }
    if (this.options.tls?.clientAuth === 'required') {
      // The TLS listener refused clients without a valid certificate, so a subject is there.
      const subject = peerSubject(socket)
      if (subject !== undefined) {
        session.principal = `User:${subject}`
        session.authenticated = true
      }
    }
    if (this.options.saslMechanisms.length === 0) return { session }
    const settings: SaslSettings = {
      mechanisms: this.options.saslMechanisms,
      serverSecret: this.serverSecret,
      users: cluster.image.users,
      nonce: () => randomBytes(18).toString('base64'),
    }
    return { session, sasl: new SaslExchange(settings, isEncrypted(socket)) }
  }
}
