// `weir broker drain ID` / `weir broker undrain ID`: marks a broker draining (it hands every
// leadership it holds to other brokers and gets none back) or ends that, through the client's
// admin API; then, unless --no-wait, prints what the broker still leads, polled through Metadata,
// until it leads nothing (drain) or until --timeout-ms passes. A client of the cluster like the
// other client-side commands: dispatched from broker-command.ts, it never imports @weir/broker.
import { type Admin, isWeirError } from '@weir/client'
import { bootstrapHelp, connect, parseCommand, runCommand } from './client-flags.js'
import type { Command } from './command.js'
import { exitCodes } from './command.js'
import { UsageError } from './flags.js'
import { integerFlag } from './numeric-flags.js'

export const drainHelp = `Usage:
  weir broker drain ID [--no-wait] [--timeout-ms N]
  weir broker undrain ID

drain marks broker ID draining: it hands every partition it leads, and the controller, to an
in-sync broker that is not draining, keeps handing away any leadership it gains, and no broker
hands a partition back to it. Its replicas stay (new topics may still place some there). The mark
is kept in the controller log: it survives restarts until undrain. drain then prints what the
broker still leads every second until it leads nothing (exit 0), or exits 1 after --timeout-ms
naming what it still leads (a partition with no other in-sync replica cannot move).
undrain ends it; every 5 s leaders hand partitions back to their preferred broker.

Flags:
  --no-wait               return once the mark is committed
  --timeout-ms N          how long drain waits for the broker to lead nothing (default 120000)
${bootstrapHelp}
`

const flagOptions = {
  'no-wait': { type: 'boolean' },
  'timeout-ms': { type: 'string' },
} as const

const internalTopics = ['__consumer_offsets']
const pollMs = 1000

export const brokerDrainCommand: Command = {
  summary: 'drain or undrain a broker (weir broker drain|undrain ID)',
  run: (argv) =>
    runCommand('broker', drainHelp, async () => {
      const { values, positionals } = parseCommand(argv, flagOptions)
      if (values.help) {
        process.stdout.write(drainHelp)
        return exitCodes.ok
      }
      const [action, idText, ...extra] = positionals
      if (action !== 'drain' && action !== 'undrain') throw new UsageError('missing action: drain or undrain')
      if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`)
      const brokerId = integerFlag(idText, 'ID')
      if (brokerId === undefined) throw new UsageError(`broker ${action} needs a broker ID`)
      const timeoutMs = integerFlag(values['timeout-ms'], '--timeout-ms') ?? 120_000
      const client = connect(values, 'weir-cli')
      try {
        const admin = client.admin()
        if (action === 'undrain') {
          await admin.undrainBroker(brokerId)
          process.stdout.write(
            `broker ${brokerId} is no longer draining; its preferred partitions move back within seconds\n`,
          )
          return exitCodes.ok
        }
        await admin.drainBroker(brokerId)
        process.stdout.write(`broker ${brokerId} is draining\n`)
        if (values['no-wait']) return exitCodes.ok
        return await waitUntilLeadsNothing(admin, brokerId, timeoutMs)
      } finally {
        await client.close()
      }
    }),
}

async function waitUntilLeadsNothing(admin: Admin, brokerId: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const led = await ledBy(admin, brokerId)
    if (led.length === 0) {
      process.stdout.write(`broker ${brokerId} leads no partition and not the controller\n`)
      return exitCodes.ok
    }
    const shown = led.slice(0, 10).join(', ') + (led.length > 10 ? `, and ${led.length - 10} more` : '')
    if (Date.now() >= deadline) {
      process.stderr.write(
        `weir broker: broker ${brokerId} still leads ${led.length} after ${timeoutMs} ms: ${shown} (is another replica in sync? see weir cluster describe)\n`,
      )
      return exitCodes.failure
    }
    process.stdout.write(`broker ${brokerId} still leads ${led.length}: ${shown}\n`)
    await new Promise((resolve) => setTimeout(resolve, pollMs))
  }
}

/** What `brokerId` leads now, as Metadata tells: `topic/partition` names, and `controller`. */
async function ledBy(admin: Admin, brokerId: number): Promise<string[]> {
  const led: string[] = []
  if ((await admin.describeCluster()).controllerId === brokerId) led.push('controller')
  for (const topic of [...(await admin.listTopics()), ...internalTopics]) {
    const described = await admin
      .describeTopic(topic)
      .catch((error: unknown) => (isWeirError(error, 'UNKNOWN_TOPIC') ? undefined : Promise.reject(error)))
    for (const partition of described?.partitions ?? [])
      if (partition.leader === brokerId) led.push(`${topic}/${partition.partition}`)
  }
  return led
}
