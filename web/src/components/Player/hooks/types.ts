// What the Player's hooks share: the source to play, the state the controls render and
// the actions they call. Types only, so every hook can import them without cycles.
import type shaka from "shaka-player";
import type { QoeReport } from "../qoe";
import type { AccessProblem } from "../streamToken";
import type { TokenGrant } from "../tokenRenewer";
import type { QualityOption } from "../tracks";

export interface PlayerSource {
  /** HLS master playlist (preferred), DASH manifest (fallback). */
  hls: string | null;
  dash: string | null;
  /** Seconds to start at (the saved resume position). */
  startAt: number;
  /** WebVTT subtitles to add when the manifest does not already carry that language. */
  subtitles?: ReadonlyArray<{ url: string; language: string; label: string }>;
  /** The stream token inside these URLs, renewed while playing (none: URLs as given). */
  token?: TokenGrant | null;
}

export interface AudioOption {
  key: string;
  language: string;
  label: string;
  active: boolean;
  track: shaka.extern.AudioTrack;
}

export interface TextOption {
  id: number;
  language: string;
  label: string;
}

export interface PlayerError {
  code: number;
  category: number;
  message: string;
  /** Set when playback stopped because access ended (the overlay says why). */
  access?: AccessProblem;
}

export interface PlayerState {
  ready: boolean;
  /** Loaded and asked to play, but play() has not settled yet (no big play button). */
  starting: boolean;
  playing: boolean;
  buffering: boolean;
  ended: boolean;
  currentTime: number;
  duration: number;
  bufferedEnd: number;
  volume: number;
  muted: boolean;
  rate: number;
  qualities: QualityOption[];
  /** Height chosen by hand, or null for Auto. */
  manualHeight: number | null;
  /** Height of the variant currently streamed. */
  activeHeight: number | null;
  audio: AudioOption[];
  texts: TextOption[];
  activeTextId: number | null;
  pip: boolean;
  pipSupported: boolean;
  fullscreen: boolean;
  remoteAvailable: boolean;
  error: PlayerError | null;
}

export interface PlayerControls {
  play: () => void;
  pause: () => void;
  toggle: () => void;
  seek: (seconds: number) => void;
  seekBy: (delta: number) => void;
  setVolume: (volume: number) => void;
  toggleMute: () => void;
  setRate: (rate: number) => void;
  selectQuality: (height: number | null) => void;
  selectAudio: (key: string) => void;
  selectText: (id: number | null) => void;
  toggleText: () => void;
  togglePip: () => void;
  toggleFullscreen: () => void;
  castOrRemote: () => void;
  retry: () => void;
  qoe: () => QoeReport;
}

export const initialPlayerState: PlayerState = {
  ready: false,
  starting: false,
  playing: false,
  buffering: true,
  ended: false,
  currentTime: 0,
  duration: 0,
  bufferedEnd: 0,
  volume: 1,
  muted: false,
  rate: 1,
  qualities: [],
  manualHeight: null,
  activeHeight: null,
  audio: [],
  texts: [],
  activeTextId: null,
  pip: false,
  pipSupported: false,
  fullscreen: false,
  remoteAvailable: false,
  error: null,
};

/** Merge a partial update into the player state (stable: from useCallback). */
export type PatchState = (update: Partial<PlayerState>) => void;
