import type { Adapter } from '../../src/adapter.ts';
import { httpTrigger } from './trigger.ts';

/** Spin's HTTP trigger: `[[trigger.http]]`. */
const adapter: Adapter = { triggers: [httpTrigger] };
export default adapter;
