// Connection flags written before the command (`weir -b host:7171 topics list`, as with rpk and
// kcat) are moved after it, where every client command parses them. Pure.

/** Flags that take a value and mean the same on every client command. */
const leadingFlags = new Set(['-b', '--brokers', '--bootstrap', '--profile'])

/** [command, ...its arguments with the leading connection flags appended]; unknown leading flags stay where they are. */
export function hoistGlobalFlags(argv: readonly string[]): string[] {
  const moved: string[] = []
  let index = 0
  while (index < argv.length) {
    const argument = argv[index]!
    const [flag] = argument.split('=', 1)
    if (!leadingFlags.has(flag!)) break
    const inline = argument.startsWith('--') && argument.includes('=')
    if (!inline && argument.includes('=')) break
    if (!inline && index + 1 >= argv.length) break
    moved.push(...(inline ? [argument] : [argument, argv[index + 1]!]))
    index += inline ? 1 : 2
  }
  if (moved.length === 0 || index >= argv.length) return [...argv]
  return [argv[index]!, ...argv.slice(index + 1), ...moved]
}
