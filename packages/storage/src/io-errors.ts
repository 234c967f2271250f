import { WeirError } from '@weir/protocol'

const diskFullCodes = new Set(['ENOSPC', 'EDQUOT', 'EFBIG'])

/** Maps an error from the file system to the typed error a caller can act on. */
export function storageError(action: string, error: unknown): WeirError {
  if (error instanceof WeirError) return error
  const code = (error as { code?: string } | null)?.code
  if (code !== undefined && diskFullCodes.has(code))
    return new WeirError('DISK_FULL', `${action}: ${code}`, { cause: error })
  const detail = error instanceof Error ? error.message : String(error)
  return new WeirError('STORAGE_ERROR', `${action}: ${detail}`, { cause: error })
}
