// Which creation of a topic the local logs belong to: a file beside them holding the creation id.
// A broker that was down while a topic was deleted and created again still holds the old topic's
// logs under the same name; they belong to another Raft group and must go before the new one is
// hosted.
import { join } from 'node:path'
import type { FileIo, TopicStore } from '@weir/storage'

const topicIdFileName = 'cluster-topic-id'

export class TopicIncarnations {
  constructor(
    private readonly store: TopicStore,
    private readonly files: FileIo,
  ) {}

  /** The creation id of the local topic's logs; undefined without logs or without an id. */
  async local(name: string): Promise<string | undefined> {
    if (!this.store.topicNames().includes(name)) return undefined
    const path = join(this.store.topic(name).directory, topicIdFileName)
    if (!(await this.files.exists(path))) return undefined
    return this.files.readFile(path).then(
      (bytes) => bytes.toString('utf8').trim(),
      () => undefined,
    )
  }

  /** Writes the creation id beside local logs that have none yet (just created, or from before ids). */
  async record(name: string, id: string): Promise<void> {
    if (!this.store.topicNames().includes(name)) return
    if ((await this.local(name)) !== undefined) return
    const path = join(this.store.topic(name).directory, topicIdFileName)
    await this.files.writeFileAtomic(path, Buffer.from(`${id}\n`))
  }
}
