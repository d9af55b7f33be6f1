// Moderation (admins): the queue of reported comments, one entry per comment with its
// title, author, report count and reasons, newest report first, to delete the comment or
// dismiss its reports; open or resolved. Below it, every profile's clips, to delete one.
// Comment text, notes and captions are rendered as React text nodes, never as HTML.
import { useState } from "react";
import { Link } from "react-router-dom";
import { errorMessage } from "../../api/client";
import type { ClipModerated, ReportedCommentPublic } from "../../api/client";
import { deleteClip } from "../../api/clips";
import { dismissReports, moderatedClips, reportedComments } from "../../api/moderation";
import type { QueueState } from "../../api/moderation";
import { deleteComment } from "../../api/social";
import { useApi } from "../../hooks/useApi";
import { useI18n } from "../../i18n";
import { formatClock, formatDateTime, toDate } from "../../lib/format";
import { ErrorView, Loading } from "../Common/Status";
import { appendUnique, dropEntry, REASON_KEYS, reportCountKey } from "./moderation";
import "./moderation.css";

const commentKey = (c: ReportedCommentPublic) => c.comment_id;
const clipKey = (c: ClipModerated) => c.id;

export function ModerationPanel() {
  const { t } = useI18n();
  return (
    <section className="panel moderation" aria-labelledby="moderation-heading" data-testid="moderation">
      <h2 id="moderation-heading">{t("moderation.title")}</h2>
      <ReportQueue />
      <ClipList />
    </section>
  );
}

function ReportQueue() {
  const { t } = useI18n();
  const [state, setState] = useState<QueueState>("open");
  const queue = useApi(() => reportedComments(state), [state]);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const { data, setData } = queue;
  const act = async (entry: ReportedCommentPublic, action: "delete" | "dismiss") => {
    if (action === "delete" && !window.confirm(t("moderation.confirmDelete"))) return;
    setBusy(entry.comment_id);
    try {
      if (action === "delete") await deleteComment(entry.comment_id);
      else await dismissReports(entry.comment_id);
      setError(null);
      // Either way the comment leaves the open queue; a resolved entry is reloaded.
      if (state === "open") {
        setData((prev) => dropEntry(prev, entry.comment_id, commentKey));
      } else queue.reload();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(null);
    }
  };
  const more = async () => {
    if (!data?.next_offset) return;
    try {
      const page = await reportedComments(state, data.next_offset);
      setData((prev) => (prev ? { ...page, items: appendUnique(prev.items, page.items, commentKey) } : page));
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  return (
    <div className="moderation__part" data-testid="report-queue" data-state={state}>
      <div className="panel__head moderation__head">
        <h3>{t("moderation.reports")}</h3>
        <div className="segmented" role="group" aria-label={t("moderation.filter")}>
          {(["open", "resolved"] as const).map((s) => (
            <button key={s} type="button" className="segmented__option" aria-pressed={state === s} onClick={() => setState(s)}>
              {t(`moderation.${s}`)}
            </button>
          ))}
        </div>
      </div>
      {queue.loading && !data ? <Loading label={t("moderation.loading")} /> : null}
      {queue.error ? <ErrorView error={queue.error} onRetry={queue.reload} /> : null}
      {error ? <p className="form-error" role="alert">{error}</p> : null}
      {data && !data.items.length ? <p className="empty">{t(`moderation.empty.${state}`)}</p> : null}
      {data?.items.length ? (
        <ul className="moderation__list">
          {data.items.map((entry) => (
            <ReportedComment key={entry.comment_id} entry={entry} busy={busy === entry.comment_id} onAct={(a) => void act(entry, a)} />
          ))}
        </ul>
      ) : null}
      {data?.next_offset ? (
        <button type="button" className="btn btn--small" onClick={() => void more()}>
          {t("moderation.more")}
        </button>
      ) : null}
    </div>
  );
}

function ReportedComment({ entry, busy, onAct }: { entry: ReportedCommentPublic; busy: boolean; onAct: (a: "delete" | "dismiss") => void }) {
  const { t, lang } = useI18n();
  const name = entry.author?.name ?? "";
  const last = toDate(entry.last_reported_at);
  const where = entry.episode ? `${entry.title} · ${entry.episode}` : entry.title;
  return (
    <li className="moderation__item" data-testid="reported-comment" data-comment-id={entry.comment_id}>
      <p className="moderation__meta">
        <span>{t("moderation.on", { title: where })}</span>
        {entry.position_s != null ? <span> · {t("moderation.at", { time: formatClock(entry.position_s) })}</span> : null}
        {entry.author ? <span> · {t("moderation.by", { name })}</span> : null}
      </p>
      {entry.deleted ? (
        <p className="moderation__body moderation__body--deleted">{t("moderation.deleted")}</p>
      ) : (
        <p className="moderation__body" data-testid="reported-body">{entry.body}</p>
      )}
      <p className="moderation__reasons">
        <strong data-testid="report-count">{t(reportCountKey(entry.report_count), { count: entry.report_count })}</strong>
        {entry.reasons.map((r) => (
          <span key={r.reason} className="badge badge--outline">
            {t(REASON_KEYS[r.reason])} × {r.count}
          </span>
        ))}
        {last ? <span className="moderation__when">{t("moderation.lastReported", { when: formatDateTime(last, lang) })}</span> : null}
      </p>
      <ul className="moderation__reports">
        {entry.reports.map((r, i) => (
          <li key={i}>
            {t("moderation.reportedBy", { name: r.reporter.name, reason: t(REASON_KEYS[r.reason]) })}
            {r.note ? <span className="moderation__note"> “{r.note}”</span> : null}
          </li>
        ))}
      </ul>
      {entry.open ? (
        <div className="moderation__actions">
          {!entry.deleted ? (
            <button type="button" className="btn btn--small btn--danger" disabled={busy} onClick={() => onAct("delete")}
              aria-label={t("moderation.deleteCommentBy", { name })}>
              {t("moderation.deleteComment")}
            </button>
          ) : null}
          <button type="button" className="btn btn--small" disabled={busy} onClick={() => onAct("dismiss")}
            aria-label={t("moderation.dismissFor", { name })}>
            {t("moderation.dismiss")}
          </button>
        </div>
      ) : null}
    </li>
  );
}

function ClipList() {
  const { t, lang } = useI18n();
  const clips = useApi(() => moderatedClips(), []);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const { data, setData } = clips;
  const remove = async (clip: ClipModerated) => {
    if (!window.confirm(t("moderation.clips.confirmDelete"))) return;
    setBusy(clip.id);
    try {
      await deleteClip(clip.id);
      setError(null);
      setData((prev) => dropEntry(prev, clip.id, clipKey));
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(null);
    }
  };
  const more = async () => {
    if (!data?.next_offset) return;
    try {
      const page = await moderatedClips(data.next_offset);
      setData((prev) => (prev ? { ...page, items: appendUnique(prev.items, page.items, clipKey) } : page));
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  return (
    <div className="moderation__part" data-testid="clip-moderation">
      <h3>{t("moderation.clips")}</h3>
      {clips.loading && !data ? <Loading label={t("moderation.clips.loading")} /> : null}
      {clips.error ? <ErrorView error={clips.error} onRetry={clips.reload} /> : null}
      {error ? <p className="form-error" role="alert">{error}</p> : null}
      {data && !data.items.length ? <p className="empty">{t("moderation.clips.empty")}</p> : null}
      {data?.items.length ? (
        <ul className="moderation__list">
          {data.items.map((clip) => {
            const made = toDate(clip.created_at);
            const title = clip.episode ? `${clip.title} · ${clip.episode}` : clip.title;
            return (
              <li key={clip.id} className="moderation__item" data-testid="moderated-clip" data-clip-id={clip.id}>
                <p className="moderation__meta">
                  <strong>{title}</strong>{" "}
                  <span>{t("moderation.clips.range", { start: formatClock(clip.start_s), end: formatClock(clip.end_s) })}</span>
                  {" · "}
                  <span>{t("moderation.clips.made", { name: clip.maker.name, when: made ? formatDateTime(made, lang) : "" })}</span>
                </p>
                {clip.caption ? <p className="moderation__body">{clip.caption}</p> : null}
                <p className="moderation__reasons">
                  <span className="badge badge--outline">{t(`moderation.clips.state.${clip.preview.state}`)}</span>
                  {clip.preview_error ? <span className="moderation__note">{clip.preview_error}</span> : null}
                </p>
                <div className="moderation__actions">
                  <Link to={clip.url} className="btn btn--small">{t("moderation.clips.open")}</Link>
                  <button type="button" className="btn btn--small btn--danger" disabled={busy === clip.id} onClick={() => void remove(clip)}
                    aria-label={t("moderation.clips.deleteOf", { title: clip.title, name: clip.maker.name })}>
                    {t("moderation.clips.delete")}
                  </button>
                </div>
              </li>
            );
          })}
        </ul>
      ) : null}
      {data?.next_offset ? (
        <button type="button" className="btn btn--small" onClick={() => void more()}>
          {t("moderation.more")}
        </button>
      ) : null}
    </div>
  );
}
