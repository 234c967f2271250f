declare module 'murmurhash3js-revisited' {
  interface X86 {
    hash32(bytes: ArrayLike<number>, seed?: number): number
  }
  const murmurHash3: { x86: X86 }
  export default murmurHash3
}
