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
 * The same coordinator completes the sync on the leader's SyncGroup alone and answers a
 * follower whose SyncGroup comes after it with INVALID_REQUEST: the follower crashes out
 * of the join and the group rebalances again (a newly started process, slower than the
 * leader, lost that race most of the time). The leader (the only member that assigns)
 * gives the followers a moment to send theirs first; a Kafka broker holds followers'
 * SyncGroups until the leader's arrives, so there it only delays the rebalance by that.
 *
 * The protocol name stays kafkajs's (`RoundRobinAssigner`), so that processes of an
 * older spindle in the same group agree on it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { AssignerProtocol, type PartitionAssigner, PartitionAssigners } from 'kafkajs';

/** How long the leader waits before it hands in the assignment. */
const LEADER_SYNC_DELAY_MS = 500;

export const roundRobinEveryMember: PartitionAssigner = (config) => {
  const inner = PartitionAssigners.roundRobin(config);
  return {
    name: inner.name,
    version: inner.version,
    protocol: (subscription) => inner.protocol(subscription),
    async assign(group) {
      const given = await inner.assign(group);
      if (group.members.length > 1) await sleep(LEADER_SYNC_DELAY_MS);
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
