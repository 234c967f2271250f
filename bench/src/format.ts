// Number formats shared by the progress lines, the tables and the target checks.
import { megabyteBytes } from './measurement.js'

export function formatCount(value: number): string {
  return Math.round(value).toLocaleString('en-US')
}

export function formatMegabytes(bytes: number): string {
  return (bytes / megabyteBytes).toFixed(1)
}

export function formatRate(value: number): string {
  return value.toFixed(1)
}

export function formatSeconds(seconds: number): string {
  return seconds.toFixed(2)
}

export function formatRatio(ratio: number): string {
  return ratio.toFixed(2)
}
