// Decoders that size their output from an upper bound (block headers, the cap) hand back a view of
// it; records keep that view alive for as long as a consumer holds them. When the real output is
// well below the bound (one 100-byte record in a frame whose block size allows 64 KiB), copy it to
// a buffer of its own size so the bound is not what stays in memory.

/** Returns `output[0, length)`, copied to its own buffer when that frees more than half of `output`. */
export function trimmedOutput(output: Buffer, length: number): Buffer {
  if (length * 2 >= output.length) return output.subarray(0, length)
  return Buffer.from(output.subarray(0, length))
}
