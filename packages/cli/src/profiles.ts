// Profiles: named connection settings in a JSON file, so `weir --profile prod topics list` needs no
// flags. The file is ~/.config/weir/config.json ($XDG_CONFIG_HOME/weir/config.json when set):
//   { "defaultProfile": "local",
//     "profiles": { "local": { "brokers": "127.0.0.1:7171" },
//                   "prod": { "brokers": ["b1:7171", "b2:7171"], "tls": { "ca": "ca.pem" },
//                             "sasl": { "mechanism": "scram-sha-256", "username": "ops" } } } }
// Parsing is pure (parseProfiles); loadProfile reads the file. Every refusal names the file and
// the key, because a config file is edited by hand and a vague error sends the user hunting.
import { readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { UsageError } from './flags.js'

export interface Profile {
  readonly brokers?: readonly string[]
  readonly tls?: {
    readonly ca?: string
    readonly cert?: string
    readonly key?: string
    readonly servername?: string
  }
  readonly sasl?: { readonly mechanism?: string; readonly username?: string; readonly password?: string }
}

export interface ProfileFile {
  readonly defaultProfile?: string
  readonly profiles: Readonly<Record<string, Profile>>
}

const sections = {
  tls: ['ca', 'cert', 'key', 'servername'],
  sasl: ['mechanism', 'username', 'password'],
} as const
/** tls keys that name files: resolved against the config file's directory, not the shell's. */
const fileKeys = new Set(['ca', 'cert', 'key'])

/** The config file's path: $XDG_CONFIG_HOME/weir/config.json, else ~/.config/weir/config.json. */
export function profileFilePath(environment: NodeJS.ProcessEnv, home: string = homedir()): string {
  const base = environment.XDG_CONFIG_HOME ? environment.XDG_CONFIG_HOME : join(home, '.config')
  return join(base, 'weir', 'config.json')
}

function refuse(path: string, key: string, problem: string): never {
  throw new UsageError(`${path}: ${key} ${problem}; fix the file or pick another with --profile`)
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function parseBrokers(value: unknown, path: string, key: string): string[] {
  const list = typeof value === 'string' ? value.split(',') : value
  if (!Array.isArray(list) || list.length === 0 || !list.every((entry) => typeof entry === 'string'))
    refuse(path, key, 'must be "HOST:PORT[,HOST:PORT...]" or a list of "HOST:PORT" strings')
  return list.map((entry: string) => entry.trim())
}

function parseSection(
  value: unknown,
  allowed: readonly string[],
  path: string,
  key: string,
): Record<string, string> {
  if (!isRecord(value)) refuse(path, key, 'must be an object')
  const parsed: Record<string, string> = {}
  for (const [name, entry] of Object.entries(value)) {
    if (!allowed.includes(name))
      refuse(path, `${key}.${name}`, `is not a known key (known: ${allowed.join(', ')})`)
    if (typeof entry !== 'string') refuse(path, `${key}.${name}`, 'must be a string')
    parsed[name] = key.endsWith('.tls') && fileKeys.has(name) ? resolve(dirname(path), entry) : entry
  }
  return parsed
}

function parseProfile(value: unknown, path: string, key: string): Profile {
  if (!isRecord(value)) refuse(path, key, 'must be an object')
  const profile: { brokers?: string[]; tls?: Record<string, string>; sasl?: Record<string, string> } = {}
  for (const [name, entry] of Object.entries(value)) {
    if (name === 'brokers') profile.brokers = parseBrokers(entry, path, `${key}.brokers`)
    else if (name === 'tls' || name === 'sasl')
      profile[name] = parseSection(entry, sections[name], path, `${key}.${name}`)
    else refuse(path, `${key}.${name}`, 'is not a known key (known: brokers, tls, sasl)')
  }
  return profile
}

/** Checks the whole file (an error names `path` and the key); tls file paths become absolute. */
export function parseProfiles(text: string, path: string): ProfileFile {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new UsageError(`${path}: not valid JSON (${(error as Error).message}); fix the file`)
  }
  if (!isRecord(json)) refuse(path, 'the top level', 'must be an object with "profiles"')
  const profiles: Record<string, Profile> = {}
  let defaultProfile: string | undefined
  for (const [name, entry] of Object.entries(json)) {
    if (name === 'defaultProfile') {
      if (typeof entry !== 'string') refuse(path, 'defaultProfile', 'must be a profile name')
      defaultProfile = entry
    } else if (name === 'profiles') {
      if (!isRecord(entry)) refuse(path, 'profiles', 'must be an object of named profiles')
      for (const [profileName, profile] of Object.entries(entry))
        profiles[profileName] = parseProfile(profile, path, `profiles.${profileName}`)
    } else refuse(path, name, 'is not a known key (known: defaultProfile, profiles)')
  }
  if (defaultProfile !== undefined && !Object.hasOwn(profiles, defaultProfile))
    refuse(path, 'defaultProfile', `names ${JSON.stringify(defaultProfile)}, which is not under "profiles"`)
  return { ...(defaultProfile === undefined ? {} : { defaultProfile }), profiles }
}

/**
 * The profile to use: `requested` (--profile, else WEIR_PROFILE), else the file's defaultProfile,
 * else none. A requested profile that is missing, or a missing file when one is requested, is a
 * usage error; no file and no request is simply no profile.
 */
export function selectProfile(
  file: ProfileFile | undefined,
  requested: string | undefined,
  path: string,
): Profile | undefined {
  if (requested === undefined) {
    const name = file?.defaultProfile
    return name === undefined ? undefined : file!.profiles[name]
  }
  if (file === undefined)
    throw new UsageError(
      `profile ${JSON.stringify(requested)} asked for, but ${path} does not exist; create it (see weir --help)`,
    )
  if (!Object.hasOwn(file.profiles, requested)) {
    const known = Object.keys(file.profiles)
    throw new UsageError(
      `${path} has no profile ${JSON.stringify(requested)} (profiles: ${known.length > 0 ? known.join(', ') : 'none'})`,
    )
  }
  return file.profiles[requested]
}

/** Reads and selects the profile; the file is optional unless a profile is requested. */
export function loadProfile(
  requested: string | undefined,
  environment: NodeJS.ProcessEnv,
): Profile | undefined {
  const path = profileFilePath(environment)
  let text: string | undefined
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new UsageError(`${path}: cannot read it (${(error as Error).message})`)
  }
  return selectProfile(text === undefined ? undefined : parseProfiles(text, path), requested, path)
}
