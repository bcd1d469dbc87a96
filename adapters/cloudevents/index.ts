import type { Adapter } from '../../src/adapter.ts';
import { httpSinkAdapter } from './sink.ts';
import { cloudEventsTrigger } from './trigger.ts';

/** CloudEvents over HTTP: the Knative target trigger and the http(s):// sink. */
const adapter: Adapter = { triggers: [cloudEventsTrigger], sinks: [httpSinkAdapter] };
export default adapter;
