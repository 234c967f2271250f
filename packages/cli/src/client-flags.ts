// What the client-side commands (topics, produce, consume) share: positional arguments, the
// -b/--brokers (alias --bootstrap) and --profile flags, TLS and SASL flags, and one way to turn a
// failure into a message and an exit code. Where the settings come from is connection-settings.ts.
import { type ParseArgsConfig, parseArgs } from 'node:util'
import { Client, isWeirError } from '@weir/client'
import { exitCodes, usageHint } from './command.js'
import {
  type ConnectionFlags,
  defaultBrokers,
  resolveBrokers,
  resolveSecurity,
} from './connection-settings.js'
import { UsageError } from './flags.js'
import { attachNegativeValues } from './negative-values.js'
import { loadProfile } from './profiles.js'
import { securityFlagOptions, securityOptions } from './security-flags.js'

export const defaultBootstrap = defaultBrokers

export const bootstrapHelp = `  -b, --brokers HOST:PORT[,HOST:PORT...]
                          brokers to connect to (any one will do; default: WEIR_BROKERS, else
                          WEIR_BOOTSTRAP, else the profile's, else ${defaultBrokers})
  --bootstrap HOST:PORT   the same as --brokers
  --profile NAME          connection settings from ~/.config/weir/config.json (default: WEIR_PROFILE,
                          else the file's defaultProfile); flags and environment win over it
  --tls-ca FILE           connect with TLS, trusting this CA (PEM) for the broker certificate
  --tls-cert FILE         client certificate (PEM) for brokers that require one; with --tls-key
  --tls-key FILE          its private key (PEM)
  --tls-servername NAME   name to check the broker certificate against (default: the host)
  --sasl-mechanism M      log in with scram-sha-256, scram-sha-512 or plain (TLS only)
  --sasl-username NAME    the user to log in as
  --sasl-password PASS    its password; better: set WEIR_SASL_PASSWORD (keeps it out of history)
  -h, --help              show this help`

const commonOptions = {
  brokers: { type: 'string', short: 'b' },
  bootstrap: { type: 'string' },
  profile: { type: 'string' },
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

/** A client for the brokers the flags, environment or profile name, with their TLS and SASL. */
export function connect(
  flags: ConnectionFlags & { readonly profile?: string | undefined },
  clientId: string,
  environment: NodeJS.ProcessEnv = process.env,
): Client {
  const profile = loadProfile(flags.profile ?? (environment.WEIR_PROFILE || undefined), environment)
  const brokers = resolveBrokers(flags, environment, profile)
  const security = securityOptions(resolveSecurity(flags, environment, profile), environment)
  return new Client({ brokers, clientId, connectTimeoutMs: 5000, ...security })
}

/**
 * Runs a command body; usage errors print one line and where the help is and exit 2 (`_help` is
 * kept for the callers; `--help` prints it), Weir errors (broker unreachable,
 * unknown topic...) print their message, which says what to do, and exit 1.
 */
export async function runCommand(name: string, _help: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body()
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`weir ${name}: ${error.message}\n${usageHint(name)}\n`)
      return exitCodes.usage
    }
    if (isWeirError(error)) {
      process.stderr.write(`weir ${name}: ${error.code}: ${error.message}\n`)
      return exitCodes.failure
    }
    throw error
  }
}
