// What the client-side commands (topics, produce, consume) share: positional arguments, the
// --bootstrap flag, TLS and SASL flags, and one way to turn a failure into a message and an exit code.
import { type ParseArgsConfig, parseArgs } from 'node:util'
import { Client, isWeirError } from '@weir/client'
import { exitCodes } from './command.js'
import { UsageError } from './flags.js'
import { attachNegativeValues } from './negative-values.js'
import { type SecurityFlags, securityFlagOptions, securityOptions } from './security-flags.js'

export const defaultBootstrap = '127.0.0.1:7171'

export const bootstrapHelp = `  --bootstrap HOST:PORT   broker to connect to (default ${defaultBootstrap})
  --tls-ca FILE           connect with TLS, trusting this CA (PEM) for the broker certificate
  --tls-cert FILE         client certificate (PEM) for brokers that require one; with --tls-key
  --tls-key FILE          its private key (PEM)
  --tls-servername NAME   name to check the broker certificate against (default: the host)
  --sasl-mechanism M      log in with scram-sha-256, scram-sha-512 or plain (TLS only)
  --sasl-username NAME    the user to log in as
  --sasl-password PASS    its password; better: set WEIR_SASL_PASSWORD (keeps it out of history)
  -h, --help              show this help`

const commonOptions = {
  bootstrap: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  ...securityFlagOptions,
} as const

type Parsed<O extends NonNullable<ParseArgsConfig['options']>> = ReturnType<
  typeof parseArgs<{
    args: string[]
    options: O & typeof commonOptions
    strict: true
    allowPositionals: true
  }>
>

export function parseCommand<O extends NonNullable<ParseArgsConfig['options']>>(
  argv: readonly string[],
  options: O,
): Parsed<O> {
  try {
    const all = { ...options, ...commonOptions }
    return parseArgs({
      args: attachNegativeValues(argv, all),
      options: all,
      strict: true,
      allowPositionals: true,
    }) as Parsed<O>
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
}

/** A client for the --bootstrap broker, with the TLS and SASL the flags ask for. */
export function connect(
  flags: { readonly bootstrap?: string | undefined } & SecurityFlags,
  clientId: string,
): Client {
  const address = flags.bootstrap ?? defaultBootstrap
  if (!/^[^:\s]+:\d{1,5}$/.test(address))
    throw new UsageError(`--bootstrap must be HOST:PORT, got ${JSON.stringify(address)}`)
  return new Client({ brokers: [address], clientId, connectTimeoutMs: 5000, ...securityOptions(flags) })
}

/**
 * Runs a command body; usage errors print the help and exit 2, Weir errors (broker unreachable,
 * unknown topic...) print their message, which says what to do, and exit 1.
 */
export async function runCommand(name: string, help: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body()
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`weir ${name}: ${error.message}\n\n${help}`)
      return exitCodes.usage
    }
    if (isWeirError(error)) {
      process.stderr.write(`weir ${name}: ${error.code}: ${error.message}\n`)
      return exitCodes.failure
    }
    throw error
  }
}
