// Google Cast for the player: loads the sender SDK lazily (once the video plays), says
// whether a Cast button is worth showing, and when a session starts hands the receiver
// the manifest and the current position, then pauses the local video. See
// cast.ts for why this drives a plain Cast receiver, not CastProxy.
import { useCallback, useEffect, useRef, useState } from "react";
import { castLoad, castReceiverAppId, loadCastSdk } from "../cast";
import type { CastContextLike, CastMedia, CastSdk } from "../cast";

export interface CastState {
  /** The SDK is loaded and a Cast device is on the network: show the button. */
  available: boolean;
  /** Name of the device being cast to, while a session is on. */
  device: string | null;
}

export interface UseCastOptions {
  /** Load the SDK only once this is true (after the first frame: never before). */
  enabled: boolean;
  /** What to hand the receiver, read when a session starts. */
  media: () => CastMedia | null;
  /** A session started and the receiver was asked to play: pause here. */
  onCasting?: () => void;
}

export function useCast({ enabled, media, onCasting }: UseCastOptions) {
  const [state, setState] = useState<CastState>({ available: false, device: null });
  const sdkRef = useRef<CastSdk | null>(null);
  const mediaRef = useRef(media);
  mediaRef.current = media;
  const onCastingRef = useRef(onCasting);
  onCastingRef.current = onCasting;

  useEffect(() => {
    if (!enabled) return;
    let context: CastContextLike | null = null;
    let cancelled = false;
    const onCastState = () => {
      if (!context || !sdkRef.current) return;
      const none = sdkRef.current.framework.CastState.NO_DEVICES_AVAILABLE;
      setState((prev) => ({ ...prev, available: context!.getCastState() !== none }));
    };
    const onSession = (event: { sessionState?: string }) => {
      const sdk = sdkRef.current;
      if (!context || !sdk) return;
      const states = sdk.framework.SessionState;
      if (event.sessionState === states.SESSION_STARTED || event.sessionState === states.SESSION_RESUMED) {
        const session = context.getCurrentSession();
        const what = mediaRef.current();
        if (!session || !what) return;
        setState((prev) => ({ ...prev, device: session.getCastDevice().friendlyName }));
        if (event.sessionState === states.SESSION_STARTED) {
          castLoad(sdk, session, what, window.location.href).then(
            () => onCastingRef.current?.(),
            () => setState((prev) => ({ ...prev, device: null })),
          );
        }
      } else if (event.sessionState === states.SESSION_ENDED) {
        setState((prev) => ({ ...prev, device: null }));
      }
    };
    void loadCastSdk().then((sdk) => {
      if (cancelled || !sdk) return;
      sdkRef.current = sdk;
      context = sdk.framework.CastContext.getInstance();
      context.setOptions({
        receiverApplicationId: castReceiverAppId(),
        autoJoinPolicy: sdk.chromeCast.AutoJoinPolicy.ORIGIN_SCOPED,
      });
      const types = sdk.framework.CastContextEventType;
      context.addEventListener(types.CAST_STATE_CHANGED, onCastState);
      context.addEventListener(types.SESSION_STATE_CHANGED, onSession);
      onCastState();
    });
    return () => {
      cancelled = true;
      const sdk = sdkRef.current;
      if (context && sdk) {
        context.removeEventListener(sdk.framework.CastContextEventType.CAST_STATE_CHANGED, onCastState);
        context.removeEventListener(sdk.framework.CastContextEventType.SESSION_STATE_CHANGED, onSession);
      }
    };
  }, [enabled]);

  /** Open the browser's device picker; the session events do the rest. */
  const start = useCallback(() => {
    const sdk = sdkRef.current;
    if (!sdk) return;
    void sdk.framework.CastContext.getInstance()
      .requestSession()
      .catch(() => {
        // Cancelled by the viewer, or no device answered: nothing to undo.
      });
  }, []);

  return { cast: state, startCast: start };
}
