/**
 * Sink URIs are URLs, except that the authority may list several hosts, as a Kafka
 * bootstrap list does (`kafka://h1:9092,h2:9092/topic`), which a URL parser refuses. The
 * first host stays the URL's host; each other one is appended as a `brokers` query
 * parameter, the form the adapters read. Undefined when `uri` is not a URI at all.
 */
export function parseSinkUri(uri: string): URL | undefined {
  if (URL.canParse(uri)) return new URL(uri);
  const match = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#@]*@)?([^/?#,]+),([^/?#]+)(.*)$/i.exec(uri);
  if (match === null) return undefined;
  const [, scheme = '', userinfo = '', first = '', others = '', rest = ''] = match;
  const single = `${scheme}${userinfo}${first}${rest}`;
  if (!URL.canParse(single) || !others.split(',').every((host) => URL.canParse(`${scheme}${host}`))) return undefined;
  const url = new URL(single);
  for (const host of others.split(',')) url.searchParams.append('brokers', host);
  return url;
}
