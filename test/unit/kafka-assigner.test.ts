import { AssignerProtocol, type Cluster, Kafka, logLevel } from 'kafkajs';
import { expect, it } from 'vitest';
import { roundRobinEveryMember } from '../../adapters/kafka/assigner.ts';

// More members than partitions: kafkajs's round robin names only those given a
// partition, and a coordinator that waits for every member's assignment never finishes
// the sync (the second spindle process on a one-partition topic never consumed).
it('gives every member of the group an assignment, empty where no partition is left', async () => {
  const cluster = { findTopicPartitionMetadata: () => [{ partitionId: 0 }] } as unknown as Cluster;
  const logger = new Kafka({ brokers: ['127.0.0.1:1'], logLevel: logLevel.NOTHING }).logger();
  const assigner = roundRobinEveryMember({ cluster, groupId: 'g', logger });
  const members = ['m-1', 'm-2', 'm-3'].map((memberId) => ({ memberId, memberMetadata: Buffer.alloc(0) }));
  const given = await assigner.assign({ members, topics: ['orders'] });
  const decoded = Object.fromEntries(
    given.map((a) => [a.memberId, AssignerProtocol.MemberAssignment.decode(a.memberAssignment)?.assignment]),
  );
  expect(decoded).toEqual({ 'm-1': { orders: [0] }, 'm-2': {}, 'm-3': {} });
  expect(assigner.name).toBe('RoundRobinAssigner');
});
