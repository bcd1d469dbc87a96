import { describe, expect, it } from 'vitest';
import type { AppConfig, ComponentConfig } from '../../src/app/model.ts';
import { parseTemplate } from '../../src/app/template.ts';
import { createVariables, expandTriggerDefaults, expandTriggerTables, VariableError } from '../../src/app/variables.ts';

function component(id: string, variables: Record<string, string>): ComponentConfig {
  return { id, source: `/app/${id}.wasm`, variables, environment: {}, files: [], allowedOutboundHosts: [] };
}

function app(overrides: Partial<AppConfig> = {}): AppConfig {
  return {
    name: 'demo',
    file: '/app/spindle.toml',
    dir: '/app',
    variables: {
      suffix: { default: '.transformed' },
      region: { default: 'eu' },
      kafka_password: { required: true, secret: true },
    },
    components: {
      transform: component('transform', { suffix: '{{ suffix }}', where: 'in {{region}}-{{ region }}' }),
      other: component('other', { password: '{{ kafka_password }}' }),
    },
    triggers: [
      {
        type: 'kafka',
        table: 'trigger.kafka[0]',
        raw: {
          component: 'transform',
          brokers: ['{{ region }}.kafka:9092'],
          sasl: { mechanism: 'plain', password: '{{ kafka_password }}' },
          batch: 10,
        },
      },
    ],
    triggerDefaults: { redis: { address: 'redis://{{ region }}.redis:6379' } },
    triggerModules: {},
    ...overrides,
  };
}

describe('parseTemplate', () => {
  it('splits text and variable names, with or without spaces', () => {
    expect(parseTemplate('a{{x}}b{{  y_2  }}')).toEqual([
      { text: 'a' },
      { variable: 'x' },
      { text: 'b' },
      { variable: 'y_2' },
    ]);
    expect(parseTemplate('no templates } here')).toEqual([{ text: 'no templates } here' }]);
  });
});

describe('createVariables', () => {
  it('takes --variable, then SPIN_VARIABLE_<NAME>, then the default', () => {
    const vars = createVariables(app(), {
      overrides: { suffix: '.cli' },
      env: { SPIN_VARIABLE_SUFFIX: '.env', SPIN_VARIABLE_REGION: 'us', SPIN_VARIABLE_KAFKA_PASSWORD: 'pw' },
    });
    expect(vars.get('suffix')).toBe('.cli');
    expect(vars.get('region')).toBe('us');
    expect(vars.get('kafka_password')).toBe('pw');
    const defaults = createVariables(app(), { env: { SPIN_VARIABLE_KAFKA_PASSWORD: 'pw' } });
    expect(defaults.get('suffix')).toBe('.transformed');
    expect(defaults.get('region')).toBe('eu');
  });

  it('gives a component its own variables, expanded, and nothing else', () => {
    const vars = createVariables(app(), { overrides: { kafka_password: 's3cret' } });
    const transform = vars.component('transform');
    expect(transform('suffix')).toBe('.transformed');
    expect(transform('where')).toBe('in eu-eu');
    expect(transform('password')).toBeUndefined(); // another component's
    expect(transform('region')).toBeUndefined(); // an app variable the component does not list
    expect(vars.component('other')('password')).toBe('s3cret');
    expect(() => vars.component('nope')).toThrow("no component 'nope' in app demo");
  });

  it('says how to set a required variable that has no value', () => {
    expect(() => createVariables(app(), {})).toThrow(
      new VariableError(
        "variable 'kafka_password' is required and has no value: set with --variable kafka_password=... or SPIN_VARIABLE_KAFKA_PASSWORD",
      ),
    );
    const two = app({ variables: { a: { required: true }, b_c: { required: true } } });
    expect(() => createVariables(two, {})).toThrow(
      "variables 'a', 'b_c' are required and have no value: set with --variable a=... or SPIN_VARIABLE_A; --variable b_c=... or SPIN_VARIABLE_B_C",
    );
  });

  it('rejects an override of an undeclared variable', () => {
    expect(() => createVariables(app(), { overrides: { sufix: 'x', kafka_password: 'pw' } })).toThrow(
      "--variable sufix: /app/spindle.toml declares no variable 'sufix' in [variables] (declared: suffix, region, kafka_password)",
    );
    expect(() => createVariables(app({ variables: {} }), { overrides: { a: '1' } })).toThrow(
      "--variable a: /app/spindle.toml declares no variable 'a' in [variables] (it declares none)",
    );
  });

  it('ignores SPIN_VARIABLE_ settings for undeclared names', () => {
    const vars = createVariables(app(), { env: { SPIN_VARIABLE_KAFKA_PASSWORD: 'pw', SPIN_VARIABLE_OTHER: 'x' } });
    expect(vars.get('other')).toBeUndefined();
  });

  it('expands templates and lists secret values', () => {
    const vars = createVariables(app(), { overrides: { kafka_password: 'pw' } });
    expect(vars.expand('https://{{ region }}.example.com/{{suffix}}')).toBe('https://eu.example.com/.transformed');
    expect(() => vars.expand('{{ nope }}')).toThrow(
      `template "{{ nope }}" refers to variable 'nope', which is not declared in [variables]`,
    );
    expect(() => vars.expand('{{ nope')).toThrow(`invalid template: '{{' without a closing '}}' in "{{ nope"`);
    expect(vars.secrets).toEqual(['pw']);
  });
});

describe('expandTriggerTables', () => {
  it('expands every string in a copy of the trigger tables', () => {
    const config = app();
    const vars = createVariables(config, { overrides: { kafka_password: 'pw' } });
    expect(expandTriggerTables(config, vars)).toEqual([
      {
        type: 'kafka',
        table: 'trigger.kafka[0]',
        raw: {
          component: 'transform',
          brokers: ['eu.kafka:9092'],
          sasl: { mechanism: 'plain', password: 'pw' },
          batch: 10,
        },
      },
    ]);
    expect(config.triggers[0]?.raw.sasl).toEqual({ mechanism: 'plain', password: '{{ kafka_password }}' });
    expect(expandTriggerDefaults(config, vars)).toEqual({ redis: { address: 'redis://eu.redis:6379' } });
  });
});
