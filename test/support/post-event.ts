/**
 * POST an empty binary-mode CloudEvent (attributes in ce- headers) to spindle: what a
 * Knative sender does, for tests and benches that drive a component by its type.
 */
export function postEvent(url: URL, attributes: { type: string; id: string; source?: string; subject?: string }) {
  return fetch(url, {
    method: 'POST',
    headers: {
      'ce-specversion': '1.0',
      'ce-id': attributes.id,
      'ce-source': attributes.source ?? '/test',
      'ce-type': attributes.type,
      ...(attributes.subject === undefined ? {} : { 'ce-subject': attributes.subject }),
    },
  });
}
