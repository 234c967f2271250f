// Loads the optional peer dependency ioredis on first use, so an application that never keeps
// offsets in Redis does not need it installed.
import { WeirError } from '@weir/protocol'

type IoredisModule = typeof import('ioredis')

/**
 * ioredis, imported now. `load` is the import itself (a parameter so the missing-package path can
 * be tested). Errors: MISSING_DEPENDENCY, naming the install command, when the package is absent;
 * any other load failure is rethrown as is.
 */
export async function importIoredis(
  load: () => Promise<IoredisModule> = () => import('ioredis'),
): Promise<IoredisModule> {
  try {
    return await load()
  } catch (error) {
    if (!isModuleNotFound(error)) throw error
    throw new WeirError(
      'MISSING_DEPENDENCY',
      'RedisOffsetStore.connect needs ioredis, an optional peer dependency of @weir/client: run `pnpm add ioredis` (or npm install ioredis)',
      { cause: error },
    )
  }
}

function isModuleNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND'
}
