// One comment: who wrote it and when, its moment ("at 12:31": a seek on the watch page,
// a link to it elsewhere), its text as plain text, reactions, and what the profile may
// do (reply, edit and delete its own, report others', delete any as an admin). Top-level
// comments open their replies (one level: replies have no reply button).
import { useState } from "react";
import { Link } from "react-router-dom";
import { errorMessage } from "../../api/client";
import type { CommentPublic, Emoji } from "../../api/client";
import { deleteComment, editComment, listReplies, postReply, reactToComment, reportComment } from "../../api/social";
import { useI18n } from "../../i18n";
import { formatClock } from "../../lib/format";
import { Composer, ReportForm } from "./Composer";
import { ReactionBar } from "./Reactions";
import { appendPage, COMMENT_MAX, momentHref, replaceComment, withReactions } from "./social";

/** The player on the watch page, for comments on the video playing there. */
export interface PlayerLink {
  videoId: string;
  seek: (seconds: number) => void;
}

interface CommentItemProps {
  comment: CommentPublic;
  isAdmin: boolean;
  player: PlayerLink | null;
  onChange: (updated: CommentPublic) => void;
  /** Gone from the list (deleted without live replies). */
  onRemoved: (id: string) => void;
}

type Mode = "view" | "edit" | "reply" | "report";

export function CommentItem({ comment: c, isAdmin, player, onChange, onRemoved }: CommentItemProps) {
  const { t, lang } = useI18n();
  const [mode, setMode] = useState<Mode>("view");
  const [replies, setReplies] = useState<CommentPublic[] | null>(null);
  const [repliesNext, setRepliesNext] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const isReply = c.parent_id !== null;

  const run = (work: () => Promise<void>) => {
    setError(null);
    work().catch((err: unknown) => setError(errorMessage(err)));
  };
  const toggleReaction = (emoji: Emoji, on: boolean) =>
    run(async () => {
      const r = await reactToComment(c.id, emoji, on);
      onChange(withReactions(c, r.reactions, r.mine));
    });
  const remove = () => {
    if (!window.confirm(t("social.deleteConfirm"))) return;
    run(async () => {
      await deleteComment(c.id);
      if (c.reply_count > 0 && !isReply) onChange({ ...c, deleted: true, body: "", author: null, reactions: [], my_reactions: [], mine: false });
      else onRemoved(c.id);
    });
  };
  const loadReplies = (offset: number) =>
    run(async () => {
      const page = await listReplies(c.id, offset);
      setReplies((prev) => appendPage(offset === 0 ? [] : (prev ?? []), page.items));
      setRepliesNext(page.next_offset);
    });

  const time = c.position_s !== null ? formatClock(c.position_s) : null;
  const here = player !== null && c.video_id === player.videoId;
  const replyCount = replies ? Math.max(c.reply_count, replies.length) : c.reply_count;

  return (
    <li className={`comment${isReply ? " comment--reply" : ""}`} data-testid="comment" data-comment-id={c.id}>
      <div className="comment__head">
        {c.author ? (
          <span className="comment__author">
            {c.author.avatar ? <img className="comment__avatar" src={c.author.avatar} alt="" /> : null}
            {c.author.name}
          </span>
        ) : null}
        <time className="comment__date" dateTime={c.created_at}>
          {new Date(c.created_at).toLocaleDateString(lang)}
        </time>
        {c.edited_at && !c.deleted ? <span className="comment__edited">({t("social.edited")})</span> : null}
        {time !== null && c.position_s !== null && c.video_id ? (
          here ? (
            <button type="button" className="comment__time" title={t("social.seekTo", { time })} onClick={() => player.seek(c.position_s ?? 0)} data-testid="comment-time">
              {t("social.atTime", { time })}
            </button>
          ) : (
            <Link className="comment__time" to={momentHref(c.video_id, c.title_id, c.position_s)} title={t("social.seekTo", { time })} data-testid="comment-time">
              {t("social.atTime", { time })}
            </Link>
          )
        ) : null}
      </div>

      {c.deleted ? (
        <p className="comment__body comment__body--deleted">{t("social.deleted")}</p>
      ) : mode === "edit" ? (
        <Composer
          label={t("social.edit")}
          max={COMMENT_MAX}
          initial={c.body}
          submitLabel={t("social.save")}
          onCancel={() => setMode("view")}
          onSubmit={async (text) => {
            onChange(await editComment(c.id, text));
            setMode("view");
          }}
        />
      ) : (
        // Plain text: React escapes it; CSS keeps its line breaks.
        <p className="comment__body" data-testid="comment-body">
          {c.body}
        </p>
      )}

      {!c.deleted ? (
        <div className="comment__actions">
          <ReactionBar reactions={c.reactions} mine={c.my_reactions} onToggle={toggleReaction} />
          {!isReply ? (
            <button type="button" className="link-button" onClick={() => setMode(mode === "reply" ? "view" : "reply")}>
              {t("social.reply")}
            </button>
          ) : null}
          {c.mine && mode !== "edit" ? (
            <button type="button" className="link-button" onClick={() => setMode("edit")}>
              {t("social.edit")}
            </button>
          ) : null}
          {c.mine || isAdmin ? (
            <button type="button" className="link-button" onClick={remove}>
              {t("social.delete")}
            </button>
          ) : null}
          {!c.mine ? (
            <button type="button" className="link-button" onClick={() => setMode(mode === "report" ? "view" : "report")}>
              {t("social.report")}
            </button>
          ) : null}
        </div>
      ) : null}
      {error ? (
        <p className="composer__error" role="alert">
          {error}
        </p>
      ) : null}
      {mode === "report" ? <ReportForm onCancel={() => setMode("view")} onSend={async (reason, note) => void (await reportComment(c.id, reason, note))} /> : null}
      {mode === "reply" ? (
        <Composer
          label={t("social.writeReply")}
          max={COMMENT_MAX}
          testId="reply-form"
          onCancel={() => setMode("view")}
          onSubmit={async (text) => {
            const reply = await postReply(c.id, text);
            setReplies((prev) => appendPage(prev ?? [], [reply]));
            onChange({ ...c, reply_count: c.reply_count + 1 });
            setMode("view");
          }}
        />
      ) : null}

      {!isReply && replyCount > 0 ? (
        replies === null ? (
          <button type="button" className="link-button comment__more" onClick={() => loadReplies(0)}>
            {replyCount === 1 ? t("social.oneReply") : t("social.replies", { n: replyCount })}
          </button>
        ) : (
          <>
            <ol className="comment__replies">
              {replies.map((r) => (
                <CommentItem
                  key={r.id}
                  comment={r}
                  isAdmin={isAdmin}
                  player={player}
                  onChange={(u) => setReplies((prev) => replaceComment(prev ?? [], u))}
                  onRemoved={(id) => {
                    setReplies((prev) => (prev ?? []).filter((x) => x.id !== id));
                    onChange({ ...c, reply_count: Math.max(0, c.reply_count - 1) });
                  }}
                />
              ))}
            </ol>
            {repliesNext !== null ? (
              <button type="button" className="link-button comment__more" onClick={() => loadReplies(repliesNext)}>
                {t("social.loadMore")}
              </button>
            ) : null}
            <button type="button" className="link-button comment__more" onClick={() => setReplies(null)}>
              {t("social.hideReplies")}
            </button>
          </>
        )
      ) : null}
    </li>
  );
}
