// Ctrl-C (SIGINT) and SIGTERM for commands that stream (produce, consume): the first signal asks
// the command to stop cleanly (flush, close, commit) and the command then exits 130, the shell's
// code for "ended by SIGINT"; a second signal while it closes exits 130 at once.
export const interruptedExitCode = 130

export interface Interrupt {
  /** Whether a signal arrived. */
  readonly interrupted: boolean
  /** Stops listening; call when the command is done. */
  dispose(): void
}

export function onInterrupt(stop: () => void): Interrupt {
  let interrupted = false
  const handler = () => {
    if (interrupted) process.exit(interruptedExitCode)
    interrupted = true
    stop()
  }
  process.on('SIGINT', handler)
  process.on('SIGTERM', handler)
  return {
    get interrupted() {
      return interrupted
    },
    dispose() {
      process.off('SIGINT', handler)
      process.off('SIGTERM', handler)
    },
  }
}
