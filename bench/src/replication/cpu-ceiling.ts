// How much of RF 3's shortfall against RF 1 the machine's CPU explains. Every process of the run
// (three brokers and the client) shares the same cores, so a run that keeps them all busy can go
// no faster than cores / (CPU seconds per message). Comparing that ceiling with what RF 3 reached
// splits the gap into CPU (three logs written instead of one, two more copies on the wire) and
// everything else (waits in the protocol: round trips, fsyncs, scheduling).

export interface CpuRun {
  readonly messages: number
  readonly bytes: number
  readonly messagesPerSecond: number
  /** The brokers together; null where /proc is missing. */
  readonly brokerCpuSeconds: number | null
  readonly clientCpuSeconds: number
}

export interface CpuCeiling {
  readonly brokerCpuMsPerMegabyte: { readonly rf1: number; readonly rf3: number }
  readonly clientCpuMsPerMegabyte: { readonly rf1: number; readonly rf3: number }
  /** RF 3's messages per second if the cores were its only limit (brokers and client busy all the time). */
  readonly rf3CeilingMessagesPerSecond: number
  /** That ceiling over RF 1's measured throughput, at most 1. */
  readonly ceilingRatio: number
  /** RF 3 over RF 1 as measured. */
  readonly measuredRatio: number
}

/** Undefined without broker CPU figures or without cores. */
export function cpuCeiling(rf1: CpuRun, rf3: CpuRun, cores: number): CpuCeiling | undefined {
  if (rf1.brokerCpuSeconds === null || rf3.brokerCpuSeconds === null || !(cores > 0)) return undefined
  const perMegabyte = (seconds: number, run: CpuRun) => (seconds * 1000) / (run.bytes / 1e6)
  const rf3CpuPerMessage = (rf3.brokerCpuSeconds + rf3.clientCpuSeconds) / rf3.messages
  const rf3CeilingMessagesPerSecond = cores / rf3CpuPerMessage
  return {
    brokerCpuMsPerMegabyte: {
      rf1: perMegabyte(rf1.brokerCpuSeconds, rf1),
      rf3: perMegabyte(rf3.brokerCpuSeconds, rf3),
    },
    clientCpuMsPerMegabyte: {
      rf1: perMegabyte(rf1.clientCpuSeconds, rf1),
      rf3: perMegabyte(rf3.clientCpuSeconds, rf3),
    },
    rf3CeilingMessagesPerSecond,
    ceilingRatio: Math.min(1, rf3CeilingMessagesPerSecond / rf1.messagesPerSecond),
    measuredRatio: rf3.messagesPerSecond / rf1.messagesPerSecond,
  }
}
