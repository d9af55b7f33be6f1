// Watch together for the watch page: the party in the URL (`?party=<id>`), its socket,
// the player kept in step, starting and leaving a party, and following the group when it
// moves to another episode. Returns what the page hands the Player.
import { useCallback, useEffect, useState } from "react";
import type { ReactNode } from "react";
import { useNavigate, useSearchParams } from "react-router-dom";
import { api, unwrap } from "../../api/client";
import { useAuth } from "../../hooks/useAuth";
import { PartyPanel } from "./PartyPanel";
import { usePartySocket } from "./usePartySocket";
import { usePartySync } from "./usePartySync";

export interface WatchParty {
  partyId: string | null;
  onVideoElement: (video: HTMLVideoElement | null) => void;
  overlay: ReactNode;
  /** Start the next episode for everyone; false when not in a party (navigate as usual). */
  startEpisode: (videoId: string) => boolean;
  /** Whether this viewer may start the next episode: always alone; in a party, only with
   * control (a guest of a host-only party has no countdown: the host's starts it for
   * everyone, and the page follows). */
  canStartEpisode: boolean;
}

export function useWatchParty(videoId: string, titleId: string | null): WatchParty {
  const [params, setParams] = useSearchParams();
  const partyId = params.get("party");
  const navigate = useNavigate();
  const [video, setVideo] = useState<HTMLVideoElement | null>(null);
  const { isKids } = useAuth();
  const party = usePartySocket(partyId);
  const isHost = party.me !== null && party.state?.host_profile_id === party.me.profileId;
  const canControl = party.state !== null && (party.state.control === "everyone" || isHost);
  const sync = usePartySync(party, video, videoId, canControl);

  // The group moved to another video (the next episode): follow it.
  const groupVideo = party.state?.video_id;
  useEffect(() => {
    if (partyId && groupVideo && groupVideo !== videoId) {
      const title = titleId ? `&title=${encodeURIComponent(titleId)}` : "";
      navigate(`/watch/${groupVideo}?party=${encodeURIComponent(partyId)}${title}`, { replace: true });
    }
  }, [partyId, groupVideo, videoId, titleId, navigate]);

  const start = useCallback(async () => {
    // The group starts where this player is.
    const here = video && !video.ended ? { position_s: video.currentTime, playing: !video.paused } : { position_s: 0, playing: false };
    const made = await unwrap(
      api.POST("/api/v1/parties", { body: { video_id: videoId, control: "everyone", on_stall: "wait", ...here } }),
    );
    setParams(
      (p) => {
        p.set("party", made.id);
        return p;
      },
      { replace: true },
    );
  }, [videoId, video, setParams]);
  const leave = useCallback(() => {
    setParams((p) => {
      p.delete("party");
      return p;
    });
  }, [setParams]);
  const { send } = party;
  const startEpisode = useCallback(
    (next: string) => {
      if (!partyId) return false;
      send({ type: "episode", video_id: next });
      return true;
    },
    [partyId, send],
  );

  return {
    partyId,
    onVideoElement: setVideo,
    startEpisode,
    canStartEpisode: !partyId || canControl,
    overlay: (
      <PartyPanel
        partyId={partyId}
        videoId={videoId}
        party={party}
        canControl={canControl}
        isHost={isHost}
        chat={!isKids}
        blocked={sync.blocked}
        onResume={sync.resume}
        onStart={start}
        onLeave={leave}
      />
    ),
  };
}
