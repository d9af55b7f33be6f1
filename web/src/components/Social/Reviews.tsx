// Reviews of a title: the profile's own (write, edit, delete; its score is also the
// profile's rating), everyone else's by most helpful or newest, with "helpful" votes.
// Hidden on kids profiles, which the API refuses (403 `kids_profile`).
import { useState } from "react";
import { errorMessage } from "../../api/client";
import type { ReviewOrder, ReviewPage, ReviewPublic } from "../../api/client";
import { deleteMyReview, deleteReview, isKidsRefusal, listReviews, voteHelpful, writeReview } from "../../api/social";
import { useApi } from "../../hooks/useApi";
import { useAuth } from "../../hooks/useAuth";
import { useI18n } from "../../i18n";
import { ErrorView, Loading } from "../Common/Status";
import { Composer } from "./Composer";
import { StarPicker, StarsShown } from "./Ratings";
import { appendPage, REVIEW_MAX } from "./social";

function ReviewItem({ review: r, isAdmin, onChange, onRemoved }: { review: ReviewPublic; isAdmin: boolean; onChange: (r: ReviewPublic) => void; onRemoved: () => void }) {
  const { t, lang } = useI18n();
  const [error, setError] = useState<string | null>(null);
  const vote = () => {
    setError(null);
    voteHelpful(r.id, !r.voted_helpful).then(
      (h) => onChange({ ...r, helpful_count: h.helpful_count, voted_helpful: h.voted_helpful }),
      (err: unknown) => setError(errorMessage(err)),
    );
  };
  const remove = () => {
    if (!window.confirm(t("reviews.deleteConfirm"))) return;
    deleteReview(r.id).then(onRemoved, (err: unknown) => setError(errorMessage(err)));
  };
  return (
    <li className="review" data-testid="review">
      <div className="comment__head">
        <span className="comment__author">{r.author.name}</span>
        <StarsShown score={r.score} />
        <time className="comment__date" dateTime={r.created_at}>
          {new Date(r.created_at).toLocaleDateString(lang)}
        </time>
        {r.edited_at ? <span className="comment__edited">({t("social.edited")})</span> : null}
      </div>
      <p className="comment__body" data-testid="review-body">
        {r.body}
      </p>
      <div className="comment__actions">
        {r.mine ? (
          <span className="review__helpful">{t("reviews.helpful", { n: r.helpful_count })}</span>
        ) : (
          <button type="button" className="reaction" aria-pressed={r.voted_helpful} title={t("reviews.markHelpful")} onClick={vote}>
            {t("reviews.helpful", { n: r.helpful_count })}
          </button>
        )}
        {!r.mine && isAdmin ? (
          <button type="button" className="link-button" onClick={remove}>
            {t("social.delete")}
          </button>
        ) : null}
      </div>
      {error ? (
        <p className="composer__error" role="alert">
          {error}
        </p>
      ) : null}
    </li>
  );
}

function MyReview({ titleId, mine, rating, onSaved }: { titleId: string; mine: ReviewPublic | null; rating: number | null; onSaved: () => void }) {
  const { t } = useI18n();
  const [editing, setEditing] = useState(false);
  // Picked here, else the review's score, else the profile's rating (it may load later).
  const [picked, setPicked] = useState<number | null>(null);
  const score = picked ?? mine?.score ?? rating;
  const [error, setError] = useState<string | null>(null);
  if (mine && !editing) {
    return (
      <div className="my-review" data-testid="my-review">
        <h3>{t("reviews.yours")}</h3>
        <div className="comment__head">
          <StarsShown score={mine.score} />
          {mine.edited_at ? <span className="comment__edited">({t("social.edited")})</span> : null}
          <span>{t("reviews.helpful", { n: mine.helpful_count })}</span>
        </div>
        <p className="comment__body">{mine.body}</p>
        <div className="comment__actions">
          <button type="button" className="link-button" onClick={() => { setPicked(null); setEditing(true); }}>
            {t("social.edit")}
          </button>
          <button
            type="button"
            className="link-button"
            onClick={() => {
              if (!window.confirm(t("reviews.deleteConfirm"))) return;
              deleteMyReview(titleId).then(onSaved, (err: unknown) => setError(errorMessage(err)));
            }}
          >
            {t("social.delete")}
          </button>
        </div>
        {error ? <p className="composer__error" role="alert">{error}</p> : null}
      </div>
    );
  }
  return (
    <div className="my-review" data-testid="review-form">
      <h3>{mine ? t("reviews.edit") : t("reviews.write")}</h3>
      <StarPicker value={score} onPick={setPicked} label={t("reviews.score")} />
      {score === null ? <p className="my-review__hint">{t("reviews.pickScore")}</p> : null}
      <Composer
        label={t("reviews.text")}
        max={REVIEW_MAX}
        initial={mine?.body ?? ""}
        ready={score !== null}
        submitLabel={mine ? t("social.save") : t("reviews.publish")}
        onCancel={mine ? () => setEditing(false) : undefined}
        onSubmit={async (text) => {
          await writeReview(titleId, text, score ?? 0);
          setEditing(false);
          onSaved();
        }}
      />
    </div>
  );
}

/** `rating`: the profile's rating, to start a new review's score from; `onSaved`: a
 *  review was written or deleted (the ratings summary changes with it). */
export function Reviews({ titleId, rating, onSaved }: { titleId: string; rating: number | null; onSaved: () => void }) {
  const { t } = useI18n();
  const { user, isKids } = useAuth();
  const [order, setOrder] = useState<ReviewOrder>("helpful");
  const list = useApi<ReviewPage | null>(() => (isKids ? Promise.resolve(null) : listReviews(titleId, order)), [titleId, order, isKids]);
  const [loadingMore, setLoadingMore] = useState(false);
  if (isKids || isKidsRefusal(list.error)) return null;
  const page = list.data;
  const others = (page?.items ?? []).filter((r) => !r.mine);
  const update = (r: ReviewPublic) => list.setData((prev) => (prev ? { ...prev, items: prev.items.map((x) => (x.id === r.id ? r : x)) } : prev!));
  const saved = () => {
    list.reload();
    onSaved();
  };
  const loadMore = () => {
    if (!page || page.next_offset === null) return;
    setLoadingMore(true);
    listReviews(titleId, order, page.next_offset)
      .then((next) => list.setData({ ...next, items: appendPage(page.items, next.items) }))
      .catch(() => list.reload())
      .finally(() => setLoadingMore(false));
  };
  return (
    <section className="reviews" aria-labelledby="reviews-heading" data-testid="reviews">
      <div className="comments__head">
        <h2 id="reviews-heading">{t("reviews.title")}</h2>
        <div className="segmented" role="group" aria-label={t("social.order")}>
          {(["helpful", "newest"] as const).map((o) => (
            <button key={o} type="button" className="segmented__option" aria-pressed={order === o} onClick={() => setOrder(o)}>
              {t(`social.${o}`)}
            </button>
          ))}
        </div>
      </div>
      {list.loading && !page ? <Loading /> : null}
      {list.error ? <ErrorView error={list.error} onRetry={list.reload} /> : null}
      {page ? <MyReview key={page.mine?.id ?? "new"} titleId={titleId} mine={page.mine} rating={rating} onSaved={saved} /> : null}
      {page && others.length === 0 ? <p className="empty comments__empty">{t("reviews.none")}</p> : null}
      <ol className="comments__list">
        {others.map((r) => (
          <ReviewItem key={r.id} review={r} isAdmin={user?.role === "admin"} onChange={update} onRemoved={saved} />
        ))}
      </ol>
      {page && page.next_offset !== null ? (
        <button type="button" className="btn btn--small comments__more" disabled={loadingMore} onClick={loadMore}>
          {t("social.loadMore")}
        </button>
      ) : null}
    </section>
  );
}
