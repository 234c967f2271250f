// Raft indexes are log offsets: an entry (one batch) covers its batch's offsets, and -1 is Raft's
// "before the first index" (an empty log's commit). Every conversion goes through these two
// functions, so the mapping can change in one place.
export const indexBase = 0

export function indexOfOffset(offset: number): number {
  return offset + indexBase
}

export function offsetOfIndex(index: number): number {
  return index - indexBase
}
