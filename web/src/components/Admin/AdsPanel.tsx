// Admin: ad creatives. Lists them (name, weight, active window, whether the decision
// may draw them now), marks a ready film video as an ad with a weight and an optional
// window, edits weight and window, and unmarks. The API's refusals (409 already an ad
// or an episode, 422 a bad weight or window) are said in words.
import { useState } from "react";
import type { FormEvent } from "react";
import { api, errorMessage, unwrap } from "../../api/client";
import type { AdCreativePublic, AdminVideoPublic } from "../../api/client";
import { useApi } from "../../hooks/useApi";
import { useI18n } from "../../i18n";
import type { Translate } from "../../i18n";
import { formatDateTime } from "../../lib/format";
import { ErrorView, Loading } from "../Common/Status";
import { fromLocalInput, markable, refusal, toLocalInput, windowInvalid } from "./adsAdmin";
import "./ads.css";

interface Props {
  /** The admin video list (the page already loads it): the videos one may mark. */
  videos: AdminVideoPublic[] | undefined;
  /** Marking or unmarking changes a video's title (unpublished): reload the list. */
  onChanged: () => void;
}

type Note = { ok: boolean; text: string } | null;

function explain(err: unknown, t: Translate): string {
  const known = refusal(err);
  return known ? t(known.key, known.detail ? { detail: known.detail } : undefined) : errorMessage(err);
}

export function AdsPanel({ videos, onChanged }: Props) {
  const { t, lang } = useI18n();
  const creatives = useApi(() => unwrap(api.GET("/api/v1/admin/ads")), []);
  const [note, setNote] = useState<Note>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const when = (iso: string) => formatDateTime(new Date(iso), lang);
  const windowLabel = (c: AdCreativePublic) => {
    if (c.starts_at && c.ends_at) return t("adsAdmin.between", { start: when(c.starts_at), end: when(c.ends_at) });
    if (c.starts_at) return t("adsAdmin.from", { start: when(c.starts_at) });
    if (c.ends_at) return t("adsAdmin.until", { end: when(c.ends_at) });
    return t("adsAdmin.always");
  };
  const changed = (text: string) => {
    setNote({ ok: true, text });
    creatives.reload();
    onChanged();
  };
  const unmark = async (c: AdCreativePublic) => {
    if (!window.confirm(t("adsAdmin.unmarkConfirm", { name: c.name }))) return;
    setNote(null);
    try {
      await unwrap(api.DELETE("/api/v1/admin/ads/{video_id}", { params: { path: { video_id: c.video_id } } }));
      changed(t("adsAdmin.unmarked", { name: c.name }));
    } catch (err) {
      setNote({ ok: false, text: explain(err, t) });
      creatives.reload();
    }
  };

  const list = creatives.data;
  return (
    <section className="panel ads-admin" aria-labelledby="ads-heading" data-testid="admin-ads">
      <h2 id="ads-heading">{t("adsAdmin.title")}</h2>
      <p className="hint">{t("adsAdmin.intro")}</p>
      {note ? (
        <p className={note.ok ? "form-ok" : "form-error"} role={note.ok ? "status" : "alert"} data-testid="ads-note">
          {note.text}
        </p>
      ) : null}
      {creatives.loading && !list ? <Loading /> : null}
      {creatives.error ? <ErrorView error={creatives.error} onRetry={creatives.reload} /> : null}
      {list && list.length === 0 ? <p className="empty">{t("adsAdmin.empty")}</p> : null}
      {list && list.length > 0 ? (
        <ul className="ads-admin__list">
          {list.map((c) => (
            <li key={c.video_id} className="ads-admin__item" data-testid="ad-creative" data-video={c.video_id}>
              <div className="ads-admin__summary">
                <span className="ads-admin__name">{c.name}</span>
                <span className={c.active ? "badge" : "badge badge--outline"} data-testid="ad-active">
                  {c.active ? t("adsAdmin.active") : t("adsAdmin.inactive")}
                </span>
                <span>
                  {t("adsAdmin.colWeight")}: <strong data-testid="ad-weight">{c.weight}</strong>
                </span>
                <span data-testid="ad-window">{windowLabel(c)}</span>
              </div>
              {editing === c.video_id ? (
                <CreativeForm
                  creative={c}
                  onCancel={() => setEditing(null)}
                  onSaved={(saved) => {
                    setEditing(null);
                    changed(t("adsAdmin.saved", { name: saved.name }));
                  }}
                />
              ) : (
                <div className="ads-admin__actions">
                  <button type="button" className="btn btn--small" aria-label={t("adsAdmin.editLabel", { name: c.name })} onClick={() => setEditing(c.video_id)}>
                    {t("adsAdmin.edit")}
                  </button>
                  <button type="button" className="btn btn--small btn--ghost" aria-label={t("adsAdmin.unmarkLabel", { name: c.name })} onClick={() => void unmark(c)}>
                    {t("adsAdmin.unmark")}
                  </button>
                </div>
              )}
            </li>
          ))}
        </ul>
      ) : null}
      {list ? <CreativeForm candidates={markable(videos ?? [], list)} onSaved={(saved) => changed(t("adsAdmin.marked", { name: saved.name }))} /> : null}
    </section>
  );
}

interface FormProps {
  /** Editing this creative; else a new one from `candidates`. */
  creative?: AdCreativePublic;
  candidates?: AdminVideoPublic[];
  onSaved: (saved: AdCreativePublic) => void;
  onCancel?: () => void;
}

function CreativeForm({ creative, candidates = [], onSaved, onCancel }: FormProps) {
  const { t } = useI18n();
  const [videoId, setVideoId] = useState("");
  const [weight, setWeight] = useState(String(creative?.weight ?? 1));
  const [startsAt, setStartsAt] = useState(toLocalInput(creative?.starts_at));
  const [endsAt, setEndsAt] = useState(toLocalInput(creative?.ends_at));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const id = creative ? `ad-${creative.video_id}` : "ad-new";

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const body = { weight: Number(weight), starts_at: fromLocalInput(startsAt), ends_at: fromLocalInput(endsAt) };
    if (windowInvalid(body.starts_at, body.ends_at)) {
      setError(t("adsAdmin.err.window"));
      return;
    }
    const target = creative?.video_id ?? videoId;
    if (!target) return;
    setBusy(true);
    try {
      const path = { params: { path: { video_id: target } }, body };
      const saved = await unwrap(creative ? api.PATCH("/api/v1/admin/ads/{video_id}", path) : api.PUT("/api/v1/admin/ads/{video_id}", path));
      if (!creative) {
        setVideoId("");
        setWeight("1");
        setStartsAt("");
        setEndsAt("");
      }
      onSaved(saved);
    } catch (err) {
      setError(explain(err, t));
    } finally {
      setBusy(false);
    }
  };

  if (!creative && candidates.length === 0) return <p className="hint">{t("adsAdmin.noCandidates")}</p>;
  return (
    <form className="ads-admin__form" onSubmit={(e) => void submit(e)} data-testid={creative ? "ad-edit-form" : "ad-mark-form"} aria-label={creative ? t("adsAdmin.editLabel", { name: creative.name }) : t("adsAdmin.markTitle")}>
      {creative ? null : (
        <>
          <h3 className="ads-admin__form-title">{t("adsAdmin.markTitle")}</h3>
          <label htmlFor={`${id}-video`}>{t("adsAdmin.video")}</label>
          <select id={`${id}-video`} value={videoId} required onChange={(e) => setVideoId(e.currentTarget.value)}>
            <option value="">{t("adsAdmin.pickVideo")}</option>
            {candidates.map((v) => (
              <option key={v.id} value={v.id}>
                {v.title}
                {v.name && v.name !== v.title ? ` · ${v.name}` : ""}
              </option>
            ))}
          </select>
        </>
      )}
      <label htmlFor={`${id}-weight`}>{t("adsAdmin.weight")}</label>
      <input id={`${id}-weight`} type="number" inputMode="numeric" min={1} max={1000} step={1} required value={weight} onChange={(e) => setWeight(e.currentTarget.value)} />
      <label htmlFor={`${id}-starts`}>{t("adsAdmin.startsAt")}</label>
      <input id={`${id}-starts`} type="datetime-local" value={startsAt} onChange={(e) => setStartsAt(e.currentTarget.value)} />
      <label htmlFor={`${id}-ends`}>{t("adsAdmin.endsAt")}</label>
      <input id={`${id}-ends`} type="datetime-local" value={endsAt} onChange={(e) => setEndsAt(e.currentTarget.value)} />
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="ads-admin__actions">
        <button type="submit" className="btn btn--small" disabled={busy}>
          {busy ? t("adsAdmin.working") : creative ? t("adsAdmin.save") : t("adsAdmin.mark")}
        </button>
        {onCancel ? (
          <button type="button" className="btn btn--small btn--ghost" onClick={onCancel}>
            {t("adsAdmin.cancel")}
          </button>
        ) : null}
      </div>
    </form>
  );
}
