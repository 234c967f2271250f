// The native compressors, loaded on first use rather than at import: each ships its binary as a
// per-platform optional dependency, and a platform without one must still be able to use every
// other codec (and the rest of the protocol package). A library that does not load is a typed
// UNSUPPORTED_COMPRESSION_TYPE naming the package to install, raised where that codec is used.
import { createRequire } from 'node:module'
import type * as ZstdLibrary from '@toondepauw/node-zstd'
import type * as Lz4Library from 'lz4-napi'
import type * as SnappyLibrary from 'snappy'
import { WeirError } from '../weir-error.js'

const requireFromHere = createRequire(import.meta.url)

let snappy: typeof SnappyLibrary | undefined
let lz4: typeof Lz4Library | undefined
let zstd: typeof ZstdLibrary | undefined

export function snappyLibrary(): typeof SnappyLibrary {
  snappy ??= load<typeof SnappyLibrary>('snappy', 'snappy')
  return snappy
}

export function lz4Library(): typeof Lz4Library {
  lz4 ??= load<typeof Lz4Library>('lz4', 'lz4-napi')
  return lz4
}

export function zstdLibrary(): typeof ZstdLibrary {
  zstd ??= load<typeof ZstdLibrary>('zstd', '@toondepauw/node-zstd')
  return zstd
}

function load<Library>(codec: string, packageName: string): Library {
  try {
    return requireFromHere(packageName) as Library
  } catch (error) {
    throw new WeirError(
      'UNSUPPORTED_COMPRESSION_TYPE',
      `compression '${codec}' needs the npm package ${packageName}, whose native binary did not load on ${process.platform}-${process.arch} (${(error as Error).message.split('\n')[0]}); reinstall with optional dependencies enabled (npm install ${packageName})`,
      { cause: error },
    )
  }
}
