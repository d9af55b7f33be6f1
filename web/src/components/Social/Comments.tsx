// The comments section of a title (its comments and its videos') or of one video (on
// the watch page, where a comment can be pinned to the current moment). Newest or top
// order, pages of 20, and nothing at all on a kids profile: the API refuses those with
// 403 `kids_profile`, and the section hides instead of showing an error.
import { useState } from "react";
import type { CommentOrder, CommentPublic } from "../../api/client";
import { isKidsRefusal, listComments, postComment } from "../../api/social";
import type { CommentTarget } from "../../api/social";
import { useApi } from "../../hooks/useApi";
import { useAuth } from "../../hooks/useAuth";
import { useI18n } from "../../i18n";
import { formatClock } from "../../lib/format";
import { ErrorView, Loading } from "../Common/Status";
import { CommentItem } from "./CommentItem";
import type { PlayerLink } from "./CommentItem";
import { Composer } from "./Composer";
import { appendPage, COMMENT_MAX, replaceComment } from "./social";

interface CommentsProps {
  target: CommentTarget;
  /** On the watch page: the player, its current moment for pinning, and a seek. */
  player?: (PlayerLink & { currentTime: number }) | null;
  headingLevel?: 2 | 3;
}

export function Comments({ target, player = null, headingLevel = 2 }: CommentsProps) {
  const { t } = useI18n();
  const { user, isKids } = useAuth();
  const [order, setOrder] = useState<CommentOrder>("newest");
  const [pin, setPin] = useState(true);
  const first = useApi(() => (isKids ? Promise.resolve(null) : listComments(target, order)), [target.kind, target.id, order, isKids]);
  const [more, setMore] = useState<{ items: CommentPublic[]; next: number | null } | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<unknown>(null);

  if (isKids || isKidsRefusal(first.error)) return null;
  const Heading = headingLevel === 2 ? "h2" : "h3";
  const page = first.data;
  const items = more?.items ?? page?.items ?? [];
  const next = more ? more.next : (page?.next_offset ?? null);
  const total = page?.total ?? 0;
  const isAdmin = user?.role === "admin";

  const setItems = (update: (list: CommentPublic[]) => CommentPublic[]) => {
    setMore({ items: update(items), next });
  };
  const changeOrder = (value: CommentOrder) => {
    setMore(null);
    setOrder(value);
  };
  const loadMore = async () => {
    if (next === null) return;
    setLoadingMore(true);
    setMoreError(null);
    try {
      const nextPage = await listComments(target, order, next);
      setMore({ items: appendPage(items, nextPage.items), next: nextPage.next_offset });
    } catch (err) {
      setMoreError(err);
    } finally {
      setLoadingMore(false);
    }
  };

  const pinnable = player !== null && target.kind === "video";
  const at = player ? formatClock(player.currentTime) : "";
  return (
    <section className="comments" aria-labelledby="comments-heading" data-testid="comments">
      <div className="comments__head">
        <Heading id="comments-heading">{page ? t("social.commentsCount", { n: total }) : t("social.comments")}</Heading>
        <div className="segmented" role="group" aria-label={t("social.order")}>
          {(["newest", "top"] as const).map((o) => (
            <button key={o} type="button" className="segmented__option" aria-pressed={order === o} onClick={() => changeOrder(o)}>
              {t(`social.${o}`)}
            </button>
          ))}
        </div>
      </div>
      <Composer
        label={t("social.writeComment")}
        max={COMMENT_MAX}
        testId="comment-form"
        extra={
          pinnable ? (
            <label className="composer__pin" title={t("social.pinHint")}>
              <input type="checkbox" checked={pin} onChange={(e) => setPin(e.currentTarget.checked)} /> {t("social.pinAt", { time: at })}
            </label>
          ) : null
        }
        onSubmit={async (text) => {
          const created = await postComment(target, text, pinnable && pin && player ? player.currentTime : null);
          setMore({ items: [created, ...items.filter((c) => c.id !== created.id)], next });
          first.setData((prev) => (prev ? { ...prev, total: prev.total + 1 } : prev!));
        }}
      />
      {first.loading && !page ? <Loading /> : null}
      {first.error ? <ErrorView error={first.error} onRetry={first.reload} /> : null}
      {page && items.length === 0 ? <p className="empty comments__empty">{t("social.noComments")}</p> : null}
      <ol className="comments__list">
        {items.map((c) => (
          <CommentItem
            key={c.id}
            comment={c}
            isAdmin={isAdmin}
            player={player}
            onChange={(u) => setItems((list) => replaceComment(list, u))}
            onRemoved={(id) => {
              setItems((list) => list.filter((x) => x.id !== id));
              first.setData((prev) => (prev ? { ...prev, total: Math.max(0, prev.total - 1) } : prev!));
            }}
          />
        ))}
      </ol>
      {moreError ? <ErrorView error={moreError} onRetry={() => void loadMore()} /> : null}
      {next !== null ? (
        <button type="button" className="btn btn--small comments__more" disabled={loadingMore} onClick={() => void loadMore()}>
          {t("social.loadMore")}
        </button>
      ) : null}
    </section>
  );
}
