// What every server module returns: where the server listens and how to stop it.

export interface RunningServer {
  readonly host: string
  readonly port: number
  /** Stops the process (SIGTERM, then SIGKILL) and deletes its data directory. Never rejects twice. */
  stop(): Promise<void>
}

/** Whether a server binary is installed, and if not, what to install. */
export type ServerAvailability =
  | { readonly available: true; readonly executable: string; readonly version: string }
  | { readonly available: false; readonly reason: string }
