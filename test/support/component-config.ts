import type { ComponentConfig, InstanceMode } from '../../src/app/model.ts';

/**
 * A component of the example transform's shape, on one worker thread unless said
 * otherwise (so that `test.count` counts every event). Without `instances` the load
 * options decide. Worker threads get the values of the declared names, resolved by the
 * load options' `variables`.
 */
export function componentConfig(
  id: string,
  source: string,
  instances?: InstanceMode,
  extra: Partial<ComponentConfig> = {},
): ComponentConfig {
  return {
    id,
    source,
    variables: { suffix: '{{ suffix }}' },
    environment: {},
    files: [],
    allowedOutboundHosts: [],
    instances,
    threads: 1,
    ...extra,
  };
}
