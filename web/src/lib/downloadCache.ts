// The resume cache of downloads (see downloadResume.ts for the design): the
// `kinema-dl:` scheme plugin that Shaka's networking engine calls for a download's
// requests, and the Cache Storage cache of each grant that it fills and answers from.
// Only URIs of that scheme reach the plugin, and only a download's own store() asks for
// them: Shaka's http(s) plugins, and every other player, are untouched.
import type shakaNs from "shaka-player";
import { cacheable, cacheKey, cacheName, parseSchemeUri, SCHEME } from "./downloadResume";

type Shaka = typeof shakaNs;
type Response = shakaNs.extern.Response;

// The signed root (`…/api/v1/offline/<token>`) of each grant being stored in this tab,
// set at every (re)start: a renewed grant has a new token, the same paths.
const roots = new Map<string, string>();
let registered = false;

/** Whether this browser can keep a download's segments across a pause (Cache Storage
 *  exists in secure contexts: https, localhost). */
export function resumeSupported(): boolean {
  return typeof caches !== "undefined";
}

export function setRoot(grantId: string, root: string): void {
  roots.set(grantId, root);
}

export function forgetRoot(grantId: string): void {
  roots.delete(grantId);
}

/** Delete a download's resume cache (it completed, was cancelled, or its grant went). */
export async function deleteCache(grantId: string): Promise<void> {
  if (!resumeSupported()) return;
  await caches.delete(cacheName(grantId)).catch(() => false);
}

/** Bytes a download's resume cache holds (what a resume will not fetch again). */
export async function cachedBytes(grantId: string): Promise<number> {
  if (!resumeSupported() || !(await caches.has(cacheName(grantId)))) return 0;
  const cache = await caches.open(cacheName(grantId));
  let total = 0;
  for (const request of await cache.keys()) {
    const answer = await cache.match(request);
    total += Number(answer?.headers.get("content-length") ?? 0);
  }
  return total;
}

/** Register the scheme once, at the application's priority (the scheme is ours alone). */
export function registerDownloadScheme(shaka: Shaka): void {
  if (registered) return;
  registered = true;
  shaka.net.NetworkingEngine.registerScheme(SCHEME, (uri, request, type, progressUpdated, headersReceived, config) => {
    const parsed = parseSchemeUri(uri);
    const root = parsed ? roots.get(parsed.grantId) : undefined;
    if (!parsed || !root) {
      return shaka.util.AbortableOperation.failed(
        new shaka.util.Error(
          shaka.util.Error.Severity.CRITICAL,
          shaka.util.Error.Category.NETWORK,
          shaka.util.Error.Code.UNSUPPORTED_SCHEME,
          uri,
        ),
      );
    }
    const keep = resumeSupported() && cacheable(type === shaka.net.NetworkingEngine.RequestType.SEGMENT, request.headers);
    const key = cacheKey(window.location.origin, parsed.path);
    // Answers carry the scheme's URI, so the parsers resolve what they name against it.
    const asOurs = (response: Response): Response => ({ ...response, uri, originalUri: uri });
    const fetchIt = () => {
      // Shaka's fetch plugin, as its http(s) scheme would run it (progress, abort, errors).
      const op = shaka.net.HttpFetchPlugin.parse(`${root}/${parsed.path}`, request, type, progressUpdated, headersReceived, config);
      return (op as shakaNs.util.AbortableOperation<Response>).chain(async (response: Response) => {
        if (keep && (response.status ?? 200) === 200) {
          const data = shaka.util.BufferUtils.toArrayBuffer(response.data);
          const cache = await caches.open(cacheName(parsed.grantId));
          await cache.put(key, new globalThis.Response(data, { headers: { "content-length": String(data.byteLength) } }));
        }
        return asOurs(response);
      }) as shakaNs.extern.IAbortableOperation<Response>;
    };
    if (!keep) return fetchIt();
    // Already arrived before a pause: answered from the cache, not fetched again.
    const hit = (async () => {
      const cache = await caches.open(cacheName(parsed.grantId));
      const found = await cache.match(key);
      return found ? await found.arrayBuffer() : null;
    })().catch(() => null);
    return shaka.util.AbortableOperation.notAbortable(hit).chain((data: ArrayBuffer | null) => {
      if (data === null) return fetchIt();
      const response: Response = { uri, originalUri: uri, data, headers: {}, originalRequest: request, fromCache: true, status: 200 };
      return response;
    }) as shakaNs.extern.IAbortableOperation<Response>;
  });
}
