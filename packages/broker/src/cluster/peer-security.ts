// How the brokers of a cluster prove to each other that they belong to it, chosen once at start:
// mutual TLS (every peer connection is TLS with a client certificate checked against the peer CA)
// or, when no certificates are given, a shared cluster secret proven by the HMAC handshake of
// @weir/protocol's peer-authentication.ts. A cluster must have one of the two: the peer port
// accepts Raft messages and controller proposals, which can rewrite or delete everything.

import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import {
  clusterSecretBytesMin,
  clusterSecretOf,
  type Transport,
  tlsTransport,
  WeirError,
} from '@weir/protocol'

/** PEM text (or bytes) of this broker's certificate, its key, and the CA every peer's chains to. */
export interface PeerTlsOptions {
  readonly cert: string | Buffer
  readonly key: string | Buffer
  readonly ca: string | Buffer
}

export type PeerSecurity =
  | { readonly kind: 'tls'; readonly tls: PeerTlsOptions }
  | { readonly kind: 'secret'; readonly secret: Buffer }

/** The same as files (weir.json's `peerTlsFiles`), read at start. */
export interface PeerTlsFiles {
  readonly certFile: string
  readonly keyFile: string
  readonly caFile: string
}

/**
 * What BrokerOptions may carry; at most one source is used: TLS (PEM, then files) first, then the
 * secret, then its file.
 */
export interface PeerSecurityInput {
  readonly peerTls?: Partial<PeerTlsOptions> | undefined
  readonly peerTlsFiles?: Partial<PeerTlsFiles> | undefined
  readonly clusterSecret?: Buffer | string | undefined
  readonly clusterSecretFile?: string | undefined
}

/** How long a peer connection may stay unauthenticated before it is closed. */
export const peerAuthenticationTimeoutMs = 10_000

const makeSecret =
  "make one with `openssl rand -hex 32 > cluster.secret` (or `node -e \"console.log(require('crypto').randomBytes(32).toString('hex'))\" > cluster.secret`), copy it to every broker and pass --cluster-secret-file cluster.secret"

function invalid(message: string): never {
  throw new WeirError('INVALID_CONFIG', message)
}

/**
 * The security of a cluster from the options, without reading files. Undefined means "read
 * peerTlsFiles or clusterSecretFile" (loadPeerSecurity). Errors: INVALID_CONFIG naming what is missing and how
 * to provide it.
 */
export function checkPeerSecurity(input: PeerSecurityInput): PeerSecurity | undefined {
  const { peerTls } = input
  if (peerTls !== undefined && Object.values(peerTls).some((value) => value !== undefined)) {
    const missing = (['cert', 'key', 'ca'] as const).filter((name) => peerTls[name] === undefined)
    if (missing.length > 0) {
      invalid(
        `peer TLS needs a certificate, its key and the CA of the cluster; missing ${missing.map((name) => `--peer-tls-${name}`).join(', ')}`,
      )
    }
    return { kind: 'tls', tls: peerTls as PeerTlsOptions }
  }
  const files = input.peerTlsFiles
  if (files !== undefined) {
    const missing = (['certFile', 'keyFile', 'caFile'] as const).filter(
      (name) => typeof files[name] !== 'string' || files[name] === '',
    )
    if (missing.length > 0) {
      invalid(`peerTlsFiles needs certFile, keyFile and caFile (PEM paths); missing ${missing.join(', ')}`)
    }
    return undefined
  }
  if (input.clusterSecret !== undefined) {
    const secret = clusterSecretOf(input.clusterSecret)
    if (secret === undefined)
      invalid(`clusterSecret must hold at least ${clusterSecretBytesMin} bytes; ${makeSecret}`)
    return { kind: 'secret', secret }
  }
  if (input.clusterSecretFile !== undefined) return undefined
  return invalid(
    `a cluster (--peers) needs its brokers to authenticate each other: give --peer-tls-cert, --peer-tls-key and --peer-tls-ca, or a shared secret: ${makeSecret}`,
  )
}

/** checkPeerSecurity, then the secret file when that is the source. Errors: INVALID_CONFIG. */
export async function loadPeerSecurity(input: PeerSecurityInput): Promise<PeerSecurity> {
  const checked = checkPeerSecurity(input)
  if (checked !== undefined) return checked
  if (input.peerTlsFiles !== undefined)
    return { kind: 'tls', tls: await readPeerTlsFiles(input.peerTlsFiles) }
  const path = input.clusterSecretFile!
  let bytes: Buffer
  try {
    bytes = await readFile(path)
  } catch (error) {
    invalid(`cannot read the cluster secret file ${path}: ${(error as Error).message}; ${makeSecret}`)
  }
  const secret = clusterSecretOf(bytes)
  if (secret === undefined) {
    invalid(
      `the cluster secret file ${path} must hold at least ${clusterSecretBytesMin} bytes; ${makeSecret}`,
    )
  }
  return { kind: 'secret', secret }
}

async function readPeerTlsFiles(files: Partial<PeerTlsFiles>): Promise<PeerTlsOptions> {
  const read = async (key: keyof PeerTlsFiles) => {
    const path = files[key]!
    try {
      return await readFile(path)
    } catch (error) {
      return invalid(`peerTlsFiles.${key}: cannot read ${path}: ${(error as Error).message}`)
    }
  }
  const [cert, key, ca] = await Promise.all([read('certFile'), read('keyFile'), read('caFile')])
  return { cert, key, ca }
}

/** The transport peer connections use: TLS with client certificates, or the environment's own. */
export function peerTransport(security: PeerSecurity, plain: Transport): Transport {
  if (security.kind === 'secret') return plain
  return tlsTransport({
    ...security.tls,
    requireClientCertificate: true,
    handshakeTimeoutMs: peerAuthenticationTimeoutMs,
  })
}

/** Node's cryptographic randomness, for handshake nonces. */
export const nodeRandomBytes = (size: number): Buffer => randomBytes(size)
