// Comments, reactions, ratings and reviews (docs/social.md): calls through the typed
// client, with the generated types (`CommentPublic`, `ReviewPublic`, `DensityPublic`,
// `RatingSummaryPublic`, ...). Everything is per profile; a kids profile is refused the
// comment and review calls with 403 `kids_profile` (see `isKidsRefusal`).
import { api, ApiError, unwrap } from "./client";
import type { CommentOrder, Emoji, ReportReason, ReviewOrder } from "./client";

/** Where comments are listed and posted: a title as a whole, or one video of it. */
export type CommentTarget = { kind: "title"; id: string } | { kind: "video"; id: string };

export const PAGE_SIZE = 20;

const comment = (id: string) => ({ params: { path: { comment_id: id } } });
const review = (id: string) => ({ params: { path: { review_id: id } } });
const title = (id: string) => ({ path: { title_id: id } });

export function listComments(target: CommentTarget, order: CommentOrder, offset = 0, limit = PAGE_SIZE) {
  const query = { order, limit, offset };
  return target.kind === "title"
    ? unwrap(api.GET("/api/v1/titles/{title_id}/comments", { params: { ...title(target.id), query } }))
    : unwrap(api.GET("/api/v1/videos/{video_id}/comments", { params: { path: { video_id: target.id }, query } }));
}

/** Post a comment; `positionS` pins it to a moment (videos only). */
export function postComment(target: CommentTarget, body: string, positionS: number | null = null) {
  if (target.kind === "title") {
    return unwrap(api.POST("/api/v1/titles/{title_id}/comments", { params: title(target.id), body: { body } }));
  }
  return unwrap(
    api.POST("/api/v1/videos/{video_id}/comments", {
      params: { path: { video_id: target.id } },
      body: { body, position_s: positionS },
    }),
  );
}

export const listReplies = (id: string, offset = 0, limit = 50) =>
  unwrap(api.GET("/api/v1/comments/{comment_id}/replies", { params: { path: { comment_id: id }, query: { limit, offset } } }));

export const postReply = (id: string, body: string) =>
  unwrap(api.POST("/api/v1/comments/{comment_id}/replies", { ...comment(id), body: { body } }));

export const editComment = (id: string, body: string) =>
  unwrap(api.PATCH("/api/v1/comments/{comment_id}", { ...comment(id), body: { body } }));

export const deleteComment = (id: string) => unwrap(api.DELETE("/api/v1/comments/{comment_id}", comment(id)));

/** Add (`on`) or take back one's emoji on a comment; answers the new counts. */
export function reactToComment(id: string, emoji: Emoji, on: boolean) {
  const params = { params: { path: { comment_id: id, emoji } } };
  return on
    ? unwrap(api.PUT("/api/v1/comments/{comment_id}/reactions/{emoji}", params))
    : unwrap(api.DELETE("/api/v1/comments/{comment_id}/reactions/{emoji}", params));
}

export const reportComment = (id: string, reason: ReportReason, note = "") =>
  unwrap(api.POST("/api/v1/comments/{comment_id}/reports", { ...comment(id), body: { reason, note } }));

export const reactAt = (videoId: string, emoji: Emoji, positionS: number) =>
  unwrap(api.POST("/api/v1/videos/{video_id}/reactions", { params: { path: { video_id: videoId } }, body: { emoji, position_s: positionS } }));

export const reactionDensity = (videoId: string, buckets = 100) =>
  unwrap(api.GET("/api/v1/videos/{video_id}/reactions/density", { params: { path: { video_id: videoId }, query: { buckets } } }));

export const ratingSummary = (titleId: string) => unwrap(api.GET("/api/v1/titles/{title_id}/ratings", { params: title(titleId) }));

/** Rate a title 1–5 (the viewing domain's endpoint). */
export const rateTitle = (titleId: string, score: number) =>
  unwrap(api.PUT("/api/v1/titles/{title_id}/rating", { params: title(titleId), body: { score } }));

export const listReviews = (titleId: string, order: ReviewOrder, offset = 0, limit = PAGE_SIZE) =>
  unwrap(api.GET("/api/v1/titles/{title_id}/reviews", { params: { ...title(titleId), query: { order, limit, offset } } }));

/** Write or edit the profile's review (it also sets the profile's rating). */
export const writeReview = (titleId: string, body: string, score: number) =>
  unwrap(api.PUT("/api/v1/titles/{title_id}/review", { params: title(titleId), body: { body, score } }));

export const deleteMyReview = (titleId: string) => unwrap(api.DELETE("/api/v1/titles/{title_id}/review", { params: title(titleId) }));

export const deleteReview = (id: string) => unwrap(api.DELETE("/api/v1/reviews/{review_id}", review(id)));

export const voteHelpful = (id: string, on: boolean) =>
  on
    ? unwrap(api.PUT("/api/v1/reviews/{review_id}/helpful", review(id)))
    : unwrap(api.DELETE("/api/v1/reviews/{review_id}/helpful", review(id)));

/** The API's answer to a kids profile: hide the section rather than show an error. */
export function isKidsRefusal(error: unknown): boolean {
  return error instanceof ApiError && error.status === 403 && error.code === "kids_profile";
}
