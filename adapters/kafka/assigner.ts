/**
 * kafkajs's round-robin assignor, with an assignment for every member of the group.
 *
 * kafkajs's own leaves a member that gets no partition (more members than partitions)
 * out of its SyncGroup request. Kafka brokers read that as an empty assignment, but a
 * coordinator that waits for every member's assignment before it answers (librdkafka's
 * mock cluster, which spindle's tests use) times the sync out instead, and the group
 * rebalances again, every session timeout, for ever: a second spindle process on a
 * one-partition topic never got to consume. Naming every member, with an empty
 * assignment where there is nothing to give, is what the protocol expects anyway.
 *
 * The protocol name stays kafkajs's (`RoundRobinAssigner`), so that processes of an
 * older spindle in the same group agree on it.
 */
import { AssignerProtocol, type PartitionAssigner, PartitionAssigners } from 'kafkajs';

export const roundRobinEveryMember: PartitionAssigner = (config) => {
  const inner = PartitionAssigners.roundRobin(config);
  return {
    name: inner.name,
    version: inner.version,
    protocol: (subscription) => inner.protocol(subscription),
    async assign(group) {
      const given = await inner.assign(group);
      const named = new Set(given.map((a) => a.memberId));
      const nothing = AssignerProtocol.MemberAssignment.encode({
        version: inner.version,
        assignment: {},
        userData: Buffer.alloc(0),
      });
      const idle = group.members.filter((m) => !named.has(m.memberId));
      return [...given, ...idle.map((m) => ({ memberId: m.memberId, memberAssignment: nothing }))];
    },
  };
};
