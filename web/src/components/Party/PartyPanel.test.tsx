// The party panel rendered to markup (no DOM needed): what a refusal says, how the emoji
// buttons are labelled, and that kids profiles get no chat box.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { renderToStaticMarkup } from "react-dom/server";
import { I18nProvider } from "../../i18n";
import { PartyPanel } from "./PartyPanel";
import type { PartyState } from "./protocol";
import type { PartySocket } from "./usePartySocket";
import { ClockSync } from "./sync";

const STATE: PartyState = {
  id: "p", video_id: "v", host_profile_id: "h", control: "everyone", on_stall: "wait",
  playing: true, waiting: false, position_s: 3, at_ms: 0, rate: 1, version: 1, members: [],
};

function render(over: Partial<PartySocket> = {}, chat = true, languages = ["en-US"]): string {
  vi.stubGlobal("navigator", { languages, language: languages[0] });
  const party: PartySocket = {
    state: STATE, me: null, connected: true, refused: null, notice: null, chat: [], reactions: [],
    clock: new ClockSync(), send: () => {}, ...over,
  };
  return renderToStaticMarkup(
    <I18nProvider>
      <PartyPanel
        partyId="p"
        videoId="v"
        party={party}
        canControl
        isHost={false}
        chat={chat}
        blocked={false}
        onResume={() => {}}
        onStart={async () => {}}
        onLeave={() => {}}
      />
    </I18nProvider>,
  );
}

describe("PartyPanel", () => {
  beforeEach(() => vi.stubGlobal("window", { location: { origin: "https://kinema.test" } }));
  afterEach(() => vi.unstubAllGlobals());

  it("says a full party is full, in the viewer's language", () => {
    expect(render({ refused: "party_full", connected: false })).toContain("The party is full (8 viewers).");
    expect(render({ refused: "party_full", connected: false }, true, ["es"])).toContain("La sala está llena (8 espectadores).");
    // Other refusals keep the general line.
    expect(render({ refused: "party_not_found", connected: false })).toContain("This party is not available");
  });

  it("labels the emoji buttons with translated names", () => {
    const html = render();
    expect(html).toContain('aria-label="React with Funny"');
    expect(html).toContain('aria-label="React with Applause"');
    expect(html).not.toMatch(/aria-label="(laugh|clap)"/);
    expect(render({}, true, ["es"])).toContain('aria-label="Reaccionar con Divertido"');
  });

  it("has no chat box on a kids profile, but keeps the reactions", () => {
    expect(render()).toContain('aria-label="Say something"');
    const kids = render({}, false);
    expect(kids).not.toContain('aria-label="Say something"');
    expect(kids).not.toContain("party__chat");
    expect(kids).toContain('aria-label="React with Funny"');
  });
});
