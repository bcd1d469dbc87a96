/**
 * A consumer group's lag on a topic, as `kafka-consumer-groups --describe` and KEDA's
 * Kafka scaler compute it: per partition, the log end offset minus the group's committed
 * offset (the low watermark when the group committed none), summed. Read with an admin
 * client that connects on the first read, so that an app nobody scrapes opens nothing.
 */
import type { Admin, Kafka } from 'kafkajs';

export class GroupLag {
  readonly #kafka: Kafka;
  readonly #group: string;
  #admin: Promise<Admin> | undefined;

  constructor(kafka: Kafka, group: string) {
    this.#kafka = kafka;
    this.#group = group;
  }

  /** Records of `topic` the group has not committed yet. */
  async of(topic: string): Promise<number> {
    const admin = await this.#connected();
    const [ends, [committed]] = await Promise.all([
      admin.fetchTopicOffsets(topic),
      admin.fetchOffsets({ groupId: this.#group, topics: [topic] }),
    ]);
    const done = new Map(committed?.partitions.map((p) => [p.partition, Number(p.offset)]));
    let lag = 0;
    for (const { partition, high, low } of ends) {
      const offset = done.get(partition) ?? -1;
      lag += Number(high) - (offset < 0 ? Number(low) : offset);
    }
    return lag;
  }

  async close(): Promise<void> {
    const admin = this.#admin;
    this.#admin = undefined;
    if (admin !== undefined) await (await admin.catch(() => undefined))?.disconnect();
  }

  #connected(): Promise<Admin> {
    if (this.#admin === undefined) {
      const admin = this.#kafka.admin();
      this.#admin = admin.connect().then(() => admin);
      // A failed connection is tried again at the next read.
      this.#admin.catch(() => {
        this.#admin = undefined;
      });
    }
    return this.#admin;
  }
}
