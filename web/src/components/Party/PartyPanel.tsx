// Watch together on the watch page, drawn over the player (so it stays in full screen):
// the "Watch together" button that starts a party, then the party's panel (the link to
// copy, members, "waiting for …", the host's settings, chat, emoji) and the reactions
// floating up over the video. Kids profiles get no chat box (the server neither takes
// nor sends them chat); a refusal says why when the server said so (a full party).
import { useState } from "react";
import type { FormEvent } from "react";
import { useI18n } from "../../i18n";
import type { MessageKey } from "../../i18n/en";
import type { Emoji } from "../../api/client";
import { EMOJI, MAX_MEMBERS } from "./protocol";
import type { Control, OnStall } from "./protocol";
import type { PartySocket } from "./usePartySocket";
import "./party.css";

export interface PartyPanelProps {
  partyId: string | null;
  videoId: string;
  party: PartySocket;
  canControl: boolean;
  isHost: boolean;
  /** Whether this profile may chat (not a kids profile). */
  chat: boolean;
  blocked: boolean;
  onResume: () => void;
  onStart: () => Promise<void>;
  onLeave: () => void;
}

const NOTICES: Record<string, MessageKey> = {
  no_control: "party.notice.noControl",
  not_host: "party.notice.notHost",
  rate_limited: "party.notice.rateLimited",
  kids_profile: "party.notice.noChat",
  forbidden: "party.notice.noChat",
};

/** Refusals that end the party for this page, by the close's reason (the error code). */
const REFUSALS: Record<string, MessageKey> = {
  party_full: "party.refused.full",
};

export function PartyPanel(props: PartyPanelProps) {
  const { partyId, party, canControl, isHost } = props;
  const { t } = useI18n();
  const [open, setOpen] = useState(true);
  const [text, setText] = useState("");
  const [copied, setCopied] = useState(false);
  const [starting, setStarting] = useState(false);
  const [failed, setFailed] = useState(false);

  if (!partyId) {
    return (
      <div className="party party--idle">
        <button
          type="button"
          className="btn party__start"
          disabled={starting}
          data-testid="party-start"
          onClick={() => {
            setStarting(true);
            setFailed(false);
            props.onStart().catch(() => setFailed(true)).finally(() => setStarting(false));
          }}
        >
          {t("party.start")}
        </button>
        {failed ? <p className="party__notice" role="alert">{t("party.startFailed")}</p> : null}
      </div>
    );
  }

  const s = party.state;
  const link = `${window.location.origin}/watch/${s?.video_id ?? props.videoId}?party=${partyId}`;
  const stalled = s?.members.filter((m) => m.stalled).map((m) => m.name) ?? [];
  const names = [...new Map((s?.members ?? []).map((m) => [m.profile_id, m])).values()];
  const notice = party.notice && NOTICES[party.notice.code];
  const recentNotice = notice && Date.now() - party.notice!.at < 5000;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const body = text.trim();
    if (!body) return;
    party.send({ type: "chat", text: body.slice(0, 500) });
    setText("");
  };

  return (
    <>
      <div className="party__floats" aria-hidden="true">
        {party.reactions.map((r) => (
          <span key={r.id} className="party__float" style={{ left: `${r.left}%` }}>
            {EMOJI[r.emoji] ?? ""}
          </span>
        ))}
      </div>
      {s?.waiting && stalled.length ? (
        <p className="party__waiting" role="status" data-testid="party-waiting">
          {t("party.waitingFor", { names: stalled.join(", ") })}
        </p>
      ) : null}
      {props.blocked ? (
        <button type="button" className="btn btn--primary party__resume" onClick={props.onResume}>
          {t("party.resume")}
        </button>
      ) : null}
      <aside
        className={`party${open ? "" : " party--closed"}`}
        aria-label={t("party.title")}
        data-testid="party-panel"
        data-connected={party.connected ? "true" : "false"}
        data-members={names.length}
        data-control={canControl ? "true" : "false"}
      >
        <div className="party__head">
          <button type="button" className="party__toggle" aria-expanded={open} onClick={() => setOpen(!open)}>
            {t("party.title")} · {t("party.members", { n: names.length })}
          </button>
          {!party.connected && !party.refused ? <span className="party__status">{t("party.reconnecting")}</span> : null}
        </div>
        {party.refused ? (
          <p className="party__notice" role="alert">
            {t(REFUSALS[party.refused] ?? "party.refused", { n: MAX_MEMBERS })} <button type="button" className="btn" onClick={props.onLeave}>{t("party.leave")}</button>
          </p>
        ) : null}
        {open ? (
          <div className="party__body">
            <div className="party__link">
              <input readOnly value={link} aria-label={t("party.link")} data-testid="party-link" onFocus={(e) => e.currentTarget.select()} />
              <button
                type="button"
                className="btn"
                onClick={() => {
                  void navigator.clipboard?.writeText(link).then(() => setCopied(true), () => setCopied(false));
                }}
              >
                {copied ? t("party.copied") : t("party.copy")}
              </button>
            </div>
            <ul className="party__members">
              {names.map((m) => (
                <li key={m.profile_id}>
                  {m.name}
                  {m.host ? ` · ${t("party.host")}` : ""}
                  {s?.members.some((x) => x.profile_id === m.profile_id && x.stalled) ? ` · ${t("party.buffering")}` : ""}
                </li>
              ))}
            </ul>
            {!canControl ? <p className="party__hint">{t("party.hostControls")}</p> : null}
            {isHost && s ? (
              <fieldset className="party__settings">
                <legend>{t("party.settings")}</legend>
                <label>
                  {t("party.control")}{" "}
                  <select
                    value={s.control}
                    data-testid="party-control"
                    onChange={(e) => party.send({ type: "settings", control: e.currentTarget.value as Control })}
                  >
                    <option value="everyone">{t("party.control.everyone")}</option>
                    <option value="host">{t("party.control.host")}</option>
                  </select>
                </label>
                <label>
                  {t("party.onStall")}{" "}
                  <select value={s.on_stall} onChange={(e) => party.send({ type: "settings", on_stall: e.currentTarget.value as OnStall })}>
                    <option value="wait">{t("party.onStall.wait")}</option>
                    <option value="catchup">{t("party.onStall.catchup")}</option>
                  </select>
                </label>
              </fieldset>
            ) : null}
            {props.chat ? (
              <>
                <ol className="party__chat" aria-live="polite">
                  {party.chat.map((line) => (
                    <li key={line.id}>
                      <strong>{line.name}</strong> {line.text}
                    </li>
                  ))}
                </ol>
                <form className="party__say" onSubmit={submit}>
                  <input value={text} maxLength={500} onChange={(e) => setText(e.currentTarget.value)} aria-label={t("party.chat")} placeholder={t("party.chat")} />
                  <button type="submit" className="btn">{t("party.send")}</button>
                </form>
              </>
            ) : null}
            <div className="party__emoji" role="group" aria-label={t("party.react")}>
              {(Object.keys(EMOJI) as Emoji[]).map((name) => (
                <button
                  key={name}
                  type="button"
                  className="party__emoji-button"
                  aria-label={t("social.reactWith", { emoji: t(`social.emoji.${name}`) })}
                  title={t(`social.emoji.${name}`)}
                  onClick={() => party.send({ type: "react", emoji: name })}
                >
                  {EMOJI[name]}
                </button>
              ))}
            </div>
            <button type="button" className="btn party__leave" onClick={props.onLeave}>
              {t("party.leave")}
            </button>
          </div>
        ) : null}
        {recentNotice ? <p className="party__notice" role="status">{t(notice)}</p> : null}
      </aside>
    </>
  );
}
