import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  busyRefusal,
  type CloudEvent,
  ComponentError,
  InFlight,
  InvalidEventError,
  LimitExceededError,
  ManifestError,
  type Outcome,
  parseRouteConfig,
  type Route,
  type RouteConfig,
  type RunningTrigger,
  readBody,
  type SpindleError,
  serveSafely,
  type TriggerAdapter,
  type TriggerContext,
} from '../../src/adapter.ts';
import { decode, type EncodedMessage, encode, encodeBatch, type Mode } from './codec.ts';

export interface CloudEventsTriggerConfig extends RouteConfig {
  route: string;
  table: string;
}

/** Knative retries 5xx itself: spindle retries a little in-process, then answers. */
const HTTP_RETRY = { attempts: 3, backoffMs: 100, maxDelayMs: 1_000 };

/**
 * `[[trigger.cloudevents]]`: a Knative / TriggerMesh target. Receives CloudEvents over
 * HTTP (binary, structured, batch), runs the component, and answers with the emitted
 * event, or sends it to the sink and answers 202.
 */
export const cloudEventsTrigger: TriggerAdapter<CloudEventsTriggerConfig> = {
  type: 'cloudevents',
  /** Emitted events go back in the HTTP answer when the route has no sink. */
  replies: true,

  parseConfig(table) {
    const route = table.optionalString('route') ?? '/';
    if (!route.startsWith('/')) table.report('route', `must start with '/', got ${JSON.stringify(route)}`);
    return { ...parseRouteConfig(table), route, table: table.table };
  },

  worlds: () => ['event'],

  async start(ctx, configs) {
    const seen = new Map<string, string>();
    for (const config of configs) {
      const other = seen.get(config.route);
      if (other !== undefined) {
        throw new ManifestError(
          ctx.app.file,
          config.table,
          'route',
          `'${config.route}' is already served by [${other}]`,
        );
      }
      seen.set(config.route, config.table);
    }
    const inFlight = new InFlight();
    const routes = await Promise.all(configs.map(async (c) => ({ config: c, route: await ctx.route(c, HTTP_RETRY) })));
    for (const { config, route } of routes) {
      ctx.http.post(config.route, (req, res) => {
        void inFlight.run(() => serveSafely(ctx.logger, res, () => serve(ctx, route, req, res)));
      });
    }
    const running: RunningTrigger = {
      describe: (base) => routes.map(({ config }) => `POST ${new URL(config.route, base).href} -> ${config.component}`),
      drain: () => inFlight.idle(),
      close: async () => {},
    };
    return running;
  },
};

async function serve(ctx: TriggerContext, route: Route, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (ctx.admission.full) throw busyRefusal(ctx.admission.limit);
  const body = await readBody(req, ctx.limits);
  let mode: Mode;
  let events: CloudEvent[];
  try {
    ({ mode, events } = decode({ headers: req.headers, body }, ctx.limits));
  } catch (error) {
    return reject(res, error instanceof LimitExceededError ? error.status : 400, (error as Error).message);
  }
  try {
    const outcomes = [];
    for (const event of events) outcomes.push({ event, outcome: await ctx.dispatch(route, event) });
    const failures = outcomes.filter(({ outcome }) => outcome.kind === 'failed');
    if (failures.length > 0) {
      const worst = failures.map(({ outcome }) => (outcome as Extract<Outcome, { kind: 'failed' }>).error);
      const reasons = ctx.redact(worst.map((e) => e.message).join('; '));
      return reject(res, Math.max(...worst.map(statusOf)), reasons);
    }
    const replies = outcomes.flatMap(({ outcome }) => (outcome.kind === 'reply' ? outcome.events : []));
    if (replies.length === 0) {
      res.statusCode = 202;
      return void res.end();
    }
    if (mode === 'batch') return send(res, 200, encodeBatch(replies));
    if (replies.length === 1 && replies[0]) return send(res, 200, encode(replies[0], mode));
    // One event in, several out, and nowhere to put them: answering with one would drop
    // the rest. Fail loudly so the sender keeps (and can dead-letter) the original event.
    const reason =
      `component ${route.componentId} emitted ${replies.length} events for one event; ` +
      'configure a sink on this trigger, or send a batch';
    ctx.logger.error({ component: route.componentId, event: events[0]?.id }, reason);
    return reject(res, 500, reason);
  } catch (error) {
    ctx.logger.error({ err: error }, 'unexpected failure serving a CloudEvent');
    return reject(res, 500, 'internal error');
  }
}

/** Knative does not retry 4xx (but 408, 429): `invalid` and bad input are 400, the rest 5xx. */
function statusOf(error: SpindleError): number {
  if (error instanceof ComponentError) return error.failure === 'invalid' ? 400 : 500;
  if (error instanceof InvalidEventError) return 400;
  if (error.name === 'SinkError') return 502;
  return error.retriable ? 503 : 500;
}

function send(res: ServerResponse, status: number, message: EncodedMessage): void {
  res.statusCode = status;
  for (const [name, value] of Object.entries(message.headers)) res.setHeader(name, value);
  res.end(Buffer.from(message.body));
}

function reject(res: ServerResponse, status: number, reason: string): void {
  res.statusCode = status;
  res.setHeader('content-type', 'text/plain; charset=utf-8');
  res.end(`${reason}\n`);
}
