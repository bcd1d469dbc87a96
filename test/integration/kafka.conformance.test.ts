/**
 * The adapter-conformance suite on Kafka: source topics of 4 partitions (so that order
 * per key and scale-out across processes are both exercised), one consumer group per case.
 */
import { describeWithBroker } from '../support/brokers.ts';
import { conformanceSuite } from './conformance/suite.ts';
import { kafkaHarness } from './kafka-harness.ts';

describeWithBroker('kafka', 'kafka trigger', () => conformanceSuite(kafkaHarness));
