/**
 * `spindle/testing`: spindle in testcontainers integration tests. testcontainers is an
 * optional peer dependency: install it in the project that imports this module.
 */
export type { CloudEventInput, CloudEventJson, SpindleReply } from './cloudevent-http.ts';
export {
  DEFAULT_SPINDLE_IMAGE,
  HEALTH_ROUTE,
  READY_ROUTE,
  SPINDLE_PORT,
  SpindleContainer,
  StartedSpindleContainer,
} from './spindle-container.ts';
