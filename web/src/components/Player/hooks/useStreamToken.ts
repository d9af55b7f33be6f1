// The stream token of the playback in progress, kept fresh (see tokenRenewer.ts) and put
// into every media request: a Shaka request filter rewrites `/api/v1/stream/<token>/` in
// each request's URIs to the newest token, so manifests, segments and side-loaded
// subtitles always carry it, and waits for a renewal the timer missed (a suspended tab).
// Returning to the tab catches up on an overdue renewal too.
import { useCallback, useEffect, useRef, useState } from "react";
import type shaka from "shaka-player";
import { withToken } from "../streamToken";
import type { AccessProblem } from "../streamToken";
import { TokenRenewer } from "../tokenRenewer";
import type { TokenGrant } from "../tokenRenewer";

interface Options {
  /** The token the source's URLs were issued with; null: URLs are used as given. */
  grant: TokenGrant | null;
  /** How to get the next token; null: no renewal (the token lives as long as the URLs). */
  renew: (() => Promise<TokenGrant>) | null;
  /** Renewal failed for good. */
  onLost: (problem: AccessProblem) => void;
  /** A new token is in place. */
  onToken?: (next: TokenGrant, previous: TokenGrant) => void;
}

export interface StreamToken {
  /** The newest token (state: renders that show media URLs follow it). */
  token: string | null;
  /** The newest token, read outside of rendering. */
  current: () => string | null;
  /** Whether tokens are being renewed. */
  renewing: boolean;
  /** Renew now; true when a new token is in place (false: onLost has been called). */
  renewNow: () => Promise<boolean>;
  /** Stop timed renewals (a long pause), so the stream lease lapses. */
  hold: () => void;
  /** Renew at once after a hold (playback goes on); true when playback may go on. */
  resume: () => Promise<boolean>;
  /** The Shaka request filter that puts the newest token in every request. */
  requestFilter: shaka.extern.RequestFilter;
}

export function useStreamToken({ grant, renew, onLost, onToken }: Options): StreamToken {
  const renewerRef = useRef<TokenRenewer | null>(null);
  const initialToken = grant?.token ?? null;
  const [token, setToken] = useState<string | null>(initialToken);
  const renewRef = useRef(renew);
  renewRef.current = renew;
  const hooksRef = useRef({ onLost, onToken });
  hooksRef.current = { onLost, onToken };
  const canRenew = renew !== null;
  const renewAfterS = grant?.renewAfterS ?? 0;
  const maxHeight = grant?.maxHeight ?? 0;

  useEffect(() => {
    setToken(initialToken);
    if (initialToken === null || !canRenew) return;
    const renewer = new TokenRenewer(
      { token: initialToken, renewAfterS, maxHeight },
      {
        renew: () => {
          const call = renewRef.current;
          return call ? call() : Promise.reject(new Error("renewal is no longer available"));
        },
        onToken: (next, previous) => {
          setToken(next.token);
          hooksRef.current.onToken?.(next, previous);
        },
        onLost: (problem) => hooksRef.current.onLost(problem),
      },
    );
    renewerRef.current = renewer;
    const onVisibility = () => {
      if (document.visibilityState === "visible") renewer.onVisible();
    };
    document.addEventListener("visibilitychange", onVisibility);
    return () => {
      document.removeEventListener("visibilitychange", onVisibility);
      renewer.stop();
      if (renewerRef.current === renewer) renewerRef.current = null;
    };
  }, [initialToken, renewAfterS, maxHeight, canRenew]);

  const current = useCallback(() => renewerRef.current?.token ?? initialToken, [initialToken]);
  const renewNow = useCallback(() => renewerRef.current?.renewNow() ?? Promise.resolve(false), []);
  const hold = useCallback(() => renewerRef.current?.hold(), []);
  const resume = useCallback(() => renewerRef.current?.resume() ?? Promise.resolve(true), []);
  const requestFilter = useCallback<shaka.extern.RequestFilter>((_type, request) => {
    const renewer = renewerRef.current;
    if (!renewer) return undefined;
    const rewrite = () => {
      request.uris = request.uris.map((uri) => withToken(uri, renewer.token));
    };
    if (renewer.overdue) return renewer.whenFresh().then(rewrite);
    rewrite();
    return undefined;
  }, []);
  return { token, current, renewing: canRenew && initialToken !== null, renewNow, hold, resume, requestFilter };
}
