// The party's WebSocket: connects with the session cookie, estimates the clock offset
// (a burst of pings on connect, then one every few seconds), keeps the newest state,
// the chat and the floating reactions, and reconnects with a growing, jittered delay
// when the connection drops (the server sends the current state on every join, so a
// reconnect resyncs by itself). Refusals (not signed in, no party, full) are final.
import { useCallback, useEffect, useRef, useState } from "react";
import type { Emoji } from "../../api/client";
import type { ClientFrame, PartyState, ServerFrame } from "./protocol";
import { ClockSync, clockSample } from "./sync";

export interface ChatLine {
  id: number;
  name: string;
  text: string;
}
export interface FloatingReaction {
  id: number;
  emoji: Emoji;
  name: string;
  left: number;
}

const BURST = 6;
const BURST_GAP_MS = 120;
const PING_EVERY_MS = 5000;
const REACTION_MS = 3000;

export const localNow = (): number => performance.timeOrigin + performance.now();

export function partySocketUrl(partyId: string, loc: Location = window.location): string {
  const scheme = loc.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${loc.host}/api/v1/parties/${encodeURIComponent(partyId)}/ws`;
}

export function reconnectDelayMs(attempt: number, random: number = Math.random()): number {
  return Math.min(15000, 500 * 2 ** attempt) * (0.5 + random / 2);
}

export interface PartySocket {
  state: PartyState | null;
  me: { profileId: string; connId: string } | null;
  connected: boolean;
  /** A refusal that ended the party for this page (error code), else null. */
  refused: string | null;
  /** The last non-final error code the server sent (e.g. no_control). */
  notice: { code: string; at: number } | null;
  chat: ChatLine[];
  reactions: FloatingReaction[];
  clock: ClockSync;
  send: (frame: ClientFrame) => void;
}

export function usePartySocket(partyId: string | null): PartySocket {
  const [state, setState] = useState<PartyState | null>(null);
  const [me, setMe] = useState<PartySocket["me"]>(null);
  const [connected, setConnected] = useState(false);
  const [refused, setRefused] = useState<string | null>(null);
  const [notice, setNotice] = useState<PartySocket["notice"]>(null);
  const [chat, setChat] = useState<ChatLine[]>([]);
  const [reactions, setReactions] = useState<FloatingReaction[]>([]);
  const clockRef = useRef(new ClockSync());
  const wsRef = useRef<WebSocket | null>(null);
  const seq = useRef(0);

  const send = useCallback((frame: ClientFrame) => {
    const ws = wsRef.current;
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame));
  }, []);

  useEffect(() => {
    if (!partyId) return;
    let stopped = false;
    let attempt = 0;
    let retry: number | undefined;
    const timers = new Set<number>();
    const later = (fn: () => void, ms: number) => {
      const id = window.setTimeout(() => {
        timers.delete(id);
        fn();
      }, ms);
      timers.add(id);
    };
    let pinger: number | undefined;

    const handle = (frame: ServerFrame) => {
      switch (frame.type) {
        case "welcome":
          setMe({ profileId: frame.profile_id, connId: frame.conn_id });
          break;
        case "state":
          setState((prev) =>
            prev && prev.id === frame.state.id && prev.version > frame.state.version ? prev : frame.state,
          );
          break;
        case "pong":
          clockRef.current.add(clockSample(frame.t0, frame.t1, frame.t2, localNow()));
          break;
        case "chat":
          setChat((lines) => [...lines.slice(-49), { id: ++seq.current, name: frame.name, text: frame.text }]);
          break;
        case "react": {
          const item = { id: ++seq.current, emoji: frame.emoji, name: frame.name, left: 10 + Math.random() * 80 };
          setReactions((list) => [...list.slice(-19), item]);
          later(() => setReactions((list) => list.filter((r) => r.id !== item.id)), REACTION_MS);
          break;
        }
        case "error":
          setNotice({ code: frame.code, at: Date.now() });
          break;
      }
    };

    const open = () => {
      const ws = new WebSocket(partySocketUrl(partyId));
      wsRef.current = ws;
      ws.onopen = () => {
        attempt = 0;
        setConnected(true);
        const ping = () => send({ type: "ping", t0: localNow() });
        for (let i = 0; i < BURST; i++) later(ping, i * BURST_GAP_MS);
        pinger = window.setInterval(ping, PING_EVERY_MS);
      };
      ws.onmessage = (event) => {
        try {
          handle(JSON.parse(String(event.data)) as ServerFrame);
        } catch {
          /* not a frame of ours */
        }
      };
      ws.onclose = (event) => {
        window.clearInterval(pinger);
        if (wsRef.current === ws) wsRef.current = null;
        setConnected(false);
        if (stopped) return;
        if (event.code >= 4400 && event.code < 4500) {
          setRefused(event.reason || String(event.code));
          return;
        }
        retry = window.setTimeout(open, reconnectDelayMs(attempt));
        attempt += 1;
      };
    };
    setRefused(null);
    open();
    return () => {
      stopped = true;
      window.clearTimeout(retry);
      window.clearInterval(pinger);
      timers.forEach((id) => window.clearTimeout(id));
      wsRef.current?.close(1000);
      wsRef.current = null;
      setState(null);
      setMe(null);
    };
  }, [partyId, send]);

  return { state, me, connected, refused, notice, chat, reactions, clock: clockRef.current, send };
}
