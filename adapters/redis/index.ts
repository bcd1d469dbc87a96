import type { Adapter } from '../../src/adapter.ts';
import { redisSinkAdapter } from './sink.ts';
import { redisTrigger } from './trigger.ts';

/** Redis: `[[trigger.redis]]` (pub/sub channels and Streams consumer groups) and the redis(s):// sink. */
const adapter: Adapter = { triggers: [redisTrigger], sinks: [redisSinkAdapter] };
export default adapter;
