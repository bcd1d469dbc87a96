import type { Adapter } from '../../src/adapter.ts';
import { timerTrigger } from './trigger.ts';

const adapter: Adapter = { triggers: [timerTrigger] };
export default adapter;
