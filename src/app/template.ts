/**
 * Spin's manifest expressions: `"https://{{ api_host }}/v1"`. Text outside `{{ }}` is
 * literal; inside is the name of an application variable, surrounded by optional spaces.
 */

/** Spin's rule for variable names: lowercase letters, digits and underscores, starting with a letter. */
export const VARIABLE_NAME = /^[a-z][a-z0-9_]*$/;

export const VARIABLE_NAME_RULE =
  'variable names are lowercase letters, digits and underscores, starting with a letter';

export type TemplatePart = { text: string } | { variable: string };

/** A template that cannot be parsed; `reason` completes "invalid template ...". */
export class TemplateSyntaxError extends Error {
  override name = 'TemplateSyntaxError';
}

export function parseTemplate(template: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let rest = template;
  for (;;) {
    const open = rest.indexOf('{{');
    if (open < 0) break;
    if (open > 0) parts.push({ text: rest.slice(0, open) });
    const close = rest.indexOf('}}', open + 2);
    if (close < 0) throw new TemplateSyntaxError(`'{{' without a closing '}}' in ${JSON.stringify(template)}`);
    const name = rest.slice(open + 2, close).trim();
    if (!VARIABLE_NAME.test(name)) {
      throw new TemplateSyntaxError(
        `${JSON.stringify(`{{${rest.slice(open + 2, close)}}}`)} does not name a variable (${VARIABLE_NAME_RULE})`,
      );
    }
    parts.push({ variable: name });
    rest = rest.slice(close + 2);
  }
  if (rest !== '') parts.push({ text: rest });
  return parts;
}

/** The variables a template refers to, in order of appearance. */
export function templateVariables(template: string): string[] {
  return parseTemplate(template).flatMap((p) => ('variable' in p ? [p.variable] : []));
}

/** Expand a template; `lookup` decides what an unknown name means (usually: throw). */
export function expandTemplate(template: string, lookup: (name: string) => string): string {
  if (!template.includes('{{')) return template;
  return parseTemplate(template)
    .map((p) => ('variable' in p ? lookup(p.variable) : p.text))
    .join('');
}
