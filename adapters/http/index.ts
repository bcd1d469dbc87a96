import type { Adapter } from '../../src/trigger.ts';
import { httpTrigger } from './trigger.ts';

/** Spin's HTTP trigger: `[[trigger.http]]`. */
const adapter: Adapter = { triggers: [httpTrigger] };
export default adapter;
