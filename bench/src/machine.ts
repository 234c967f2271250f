// The machine a result was measured on: figures from different machines do not compare.
import { cpus, platform, release, totalmem } from 'node:os'

export interface Machine {
  readonly cpuModel: string
  readonly cores: number
  readonly totalMemoryBytes: number
  readonly nodeVersion: string
  readonly platform: string
  readonly kernelRelease: string
}

export function describeMachine(): Machine {
  const processors = cpus()
  return {
    cpuModel: processors[0]?.model.trim() ?? 'unknown',
    cores: processors.length,
    totalMemoryBytes: totalmem(),
    nodeVersion: process.version,
    platform: platform(),
    kernelRelease: release(),
  }
}
