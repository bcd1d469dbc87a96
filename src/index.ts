/**
 * spindle's library API: what `spindle up` is built on, for programs that embed the
 * runtime. Load an app from a manifest or define one in code, start it, invoke a
 * component directly, stop it.
 *
 *   const app = defineApp({ name: 'demo', components: { t: { source: 't.wasm' } },
 *                           triggers: [{ type: 'cloudevents', component: 't' }] });
 *   const running = await startApp(app, { listen: { host: '127.0.0.1', port: 0 } });
 *   const out = await running.invoke('t', event);
 *   await running.stop();
 */

// First: the shim's I/O thread starts only when a guest needs it (runtime/deferred-io-worker.ts).
import './runtime/preview2-shim.ts';

export type { AppDefinition, ComponentDefinition, TriggerDefinition } from './app/define.ts';
export { defineApp, EMBEDDED } from './app/define.ts';
export { loadApp } from './app/load.ts';
export type { AppConfig, ComponentConfig, InstanceMode, TriggerConfig, VariableDecl } from './app/model.ts';
export { parseRouteConfig } from './app/route-config.ts';
export { TriggerTable } from './app/table.ts';
export { buildApp } from './build/build-app.ts';
export { componentize, type JsEngine } from './build/componentize.ts';
export { type CheckOptions, type CheckReport, checkApp } from './check-app.ts';
export { CesqlFilter, CesqlParseError } from './delivery/cesql/index.ts';
export { InFlight } from './delivery/in-flight.ts';
export { type RunningApp, type StartOptions, startApp } from './engine.ts';
export type { ComponentFailure } from './errors.ts';
export { ComponentError, InvalidEventError, ManifestError, ManifestErrors, SinkError, SpindleError } from './errors.ts';
export {
  attributes,
  type CloudEvent,
  fromAttributes,
  fromStructured,
  toStructured,
  violations,
  withChanges,
} from './event.ts';
export type { EventInput } from './event-input.ts';
export { createLogger, type Logger, silentLogger } from './log.ts';
export type { Component, GuestExports, World } from './runtime/component.ts';
export { loadComponent } from './runtime/load.ts';
export type {
  Adapter,
  EventFilter,
  EventSink,
  Outcome,
  RetryPolicy,
  Route,
  RouteConfig,
  RunningTrigger,
  SinkAdapter,
  SinkFactory,
  SubscriptionsFilter,
  TriggerAdapter,
  TriggerContext,
} from './trigger.ts';
