// User administration (keys 42-44), v0. SCRAM credentials live in the controller log, so every
// broker knows every user and a change takes effect without a restart. The password never
// travels: the client salts and hashes it and sends the credential (RFC 5802 StoredKey/ServerKey).
//   SetUserCredential  request  = { name, mechanism, iterations, salt: bin, storedKey: bin, serverKey: bin }
//                      response = { errorCode?, errorMessage? }
//   DeleteUser         request  = { name }          every mechanism of the user
//                      response = { errorCode?, errorMessage?, deleted: bool }  false: there was no such user
//   ListUsers          request  = {}
//                      response = { errorCode?, errorMessage?, users: [{ name, mechanisms: [str] }] }
import {
  checkCredentialShape,
  isScramMechanism,
  type ScramMechanism,
  scramUsernameLengthMax,
} from '../sasl/scram.js'
import {
  array,
  boolean,
  bytes,
  type Fields,
  integer,
  object,
  type ResponseError,
  responseError,
  string,
  stringItem,
} from '../schema.js'
import { WeirError } from '../weir-error.js'
import { type ApiDefinition, ApiKeys } from './api.js'

export interface SetUserCredentialRequest {
  readonly name: string
  readonly mechanism: ScramMechanism
  readonly iterations: number
  readonly salt: Buffer
  readonly storedKey: Buffer
  readonly serverKey: Buffer
}

export interface DeleteUserRequest {
  readonly name: string
}

export interface DeleteUserResponse extends ResponseError {
  readonly deleted: boolean
}

export interface ListedUser {
  readonly name: string
  readonly mechanisms: readonly string[]
}

export interface ListUsersResponse extends ResponseError {
  readonly users: readonly ListedUser[]
}

/** Whether `text` holds an ASCII control character (which would forge lines in logs). */
export function hasControlCharacter(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index)
    if (code < 0x20 || code === 0x7f) return true
  }
  return false
}

/** A user name: 1 to 255 characters, no control characters (it appears in logs and principals). */
export function checkUserName(name: string, path = 'user name'): string {
  if (name.length === 0 || name.length > scramUsernameLengthMax || hasControlCharacter(name))
    throw new WeirError(
      'INVALID_REQUEST',
      `${path} must be 1 to ${scramUsernameLengthMax} characters without control characters`,
    )
  return name
}

function userName(fields: Fields, path: string): string {
  return checkUserName(string(fields, 'name', path, scramUsernameLengthMax), `field ${path}.name`)
}

export function scramMechanism(fields: Fields, path: string): ScramMechanism {
  const mechanism = string(fields, 'mechanism', path, 20)
  if (!isScramMechanism(mechanism))
    throw new WeirError(
      'INVALID_REQUEST',
      `field ${path}.mechanism must be SCRAM-SHA-256 or SCRAM-SHA-512, got ${JSON.stringify(mechanism)}`,
    )
  return mechanism
}

export const SetUserCredential: ApiDefinition<SetUserCredentialRequest, ResponseError> = {
  name: 'SetUserCredential',
  apiKey: ApiKeys.SetUserCredential,
  versionMin: 0,
  versionMax: 0,
  decodeRequest(body) {
    const path = 'SetUserCredential'
    const fields = object(body, path)
    const mechanism = scramMechanism(fields, path)
    const request = {
      name: userName(fields, path),
      mechanism,
      iterations: integer(fields, 'iterations', path),
      salt: bytes(fields, 'salt', path),
      storedKey: bytes(fields, 'storedKey', path),
      serverKey: bytes(fields, 'serverKey', path),
    }
    try {
      checkCredentialShape(mechanism, request)
    } catch (error) {
      throw new WeirError('INVALID_REQUEST', `${path}: ${(error as Error).message}`)
    }
    return request
  },
  decodeResponse(body) {
    return responseError(object(body, 'SetUserCredential'), 'SetUserCredential')
  },
}

export const DeleteUser: ApiDefinition<DeleteUserRequest, DeleteUserResponse> = {
  name: 'DeleteUser',
  apiKey: ApiKeys.DeleteUser,
  versionMin: 0,
  versionMax: 0,
  decodeRequest(body) {
    return { name: userName(object(body, 'DeleteUser'), 'DeleteUser') }
  },
  decodeResponse(body) {
    const fields = object(body, 'DeleteUser')
    return {
      ...responseError(fields, 'DeleteUser'),
      deleted: boolean(fields, 'deleted', 'DeleteUser', false),
    }
  },
}

export const ListUsers: ApiDefinition<Record<string, never>, ListUsersResponse> = {
  name: 'ListUsers',
  apiKey: ApiKeys.ListUsers,
  versionMin: 0,
  versionMax: 0,
  decodeRequest(body) {
    object(body, 'ListUsers')
    return {}
  },
  decodeResponse(body) {
    const path = 'ListUsers'
    const fields = object(body, path)
    return {
      ...responseError(fields, path),
      users: array(fields, 'users', path, (value, userPath) => {
        const user = object(value, userPath)
        return {
          name: string(user, 'name', userPath, scramUsernameLengthMax),
          mechanisms: array(user, 'mechanisms', userPath, stringItem, 8),
        }
      }),
    }
  },
}
