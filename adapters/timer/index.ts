import type { Adapter } from '../../src/trigger.ts';
import { timerTrigger } from './trigger.ts';

const adapter: Adapter = { triggers: [timerTrigger] };
export default adapter;
