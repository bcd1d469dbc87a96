import { request } from 'node:http';

export interface PostedEvent {
  id: string;
  type: string;
  body: string;
  contentType: string;
}

/**
 * POST a binary-mode CloudEvent on a connection of its own: an app that restarts between
 * requests (`spindle watch`) closes the connections a shared agent would keep. The
 * status and the reply's `ce-type`.
 */
export function postOnce(url: URL, event: PostedEvent): Promise<{ status: number; type: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      agent: false,
      headers: {
        'ce-specversion': '1.0',
        'ce-id': event.id,
        'ce-source': '/test',
        'ce-type': event.type,
        'content-type': event.contentType,
      },
    });
    req.once('response', (res) => {
      res.resume();
      res.once('end', () =>
        resolve({ status: res.statusCode ?? 0, type: res.headers['ce-type'] as string | undefined }),
      );
    });
    req.once('error', reject);
    req.end(event.body);
  });
}
