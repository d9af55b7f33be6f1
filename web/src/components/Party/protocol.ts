// The party WebSocket's frames (docs/watch-together.md). The WebSocket is not in the
// OpenAPI document, so these mirror api/kinema_api/party/schemas.py by hand.
import type { Emoji } from "../../api/client";

export type Control = "everyone" | "host";
export type OnStall = "wait" | "catchup";

export interface PartyMember {
  conn_id: string;
  profile_id: string;
  name: string;
  host: boolean;
  stalled: boolean;
  seen_ms: number;
}

export interface PartyState {
  id: string;
  video_id: string;
  host_profile_id: string;
  control: Control;
  on_stall: OnStall;
  playing: boolean;
  waiting: boolean;
  position_s: number;
  at_ms: number;
  rate: number;
  version: number;
  members: PartyMember[];
}

export type ServerFrame =
  | { type: "welcome"; conn_id: string; profile_id: string; server_ms: number }
  | { type: "state"; state: PartyState }
  | { type: "pong"; t0: number; t1: number; t2: number }
  | { type: "chat"; profile_id: string; name: string; at_ms: number; text: string }
  | { type: "react"; profile_id: string; name: string; at_ms: number; emoji: Emoji }
  | { type: "error"; code: string; detail: string };

export type ClientFrame =
  | { type: "ping"; t0: number }
  | { type: "play" }
  | { type: "pause"; position_s?: number }
  | { type: "seek"; position_s: number }
  | { type: "rate"; rate: number }
  | { type: "episode"; video_id: string }
  | { type: "stall"; stalled: boolean }
  | { type: "settings"; control?: Control; on_stall?: OnStall }
  | { type: "chat"; text: string }
  | { type: "react"; emoji: Emoji };

/** Distinct profiles a party admits (MAX_MEMBERS on the server). */
export const MAX_MEMBERS = 8;

export const EMOJI: Record<Emoji, string> = {
  like: "👍",
  love: "❤️",
  laugh: "😂",
  wow: "😮",
  sad: "😢",
  scary: "😱",
  fire: "🔥",
  clap: "👏",
};
