// The admins' moderation calls (docs/social.md "Moderation", docs/clips.md): the queue
// of reported comments per comment, dismissing its reports, and every profile's clips.
// Deleting goes through the ordinary `DELETE /comments/{id}` and `DELETE /clips/{id}`,
// which admins may use on anything.
import { api, unwrap } from "./client";

export const MODERATION_PAGE = 20;

/** Open or resolved reports ("all" exists in the API; the panel shows the two). */
export type QueueState = "open" | "resolved";

export const reportedComments = (state: QueueState, offset = 0, limit = MODERATION_PAGE) =>
  unwrap(api.GET("/api/v1/moderation/comments", { params: { query: { state, limit, offset } } }));

export const dismissReports = (commentId: string) =>
  unwrap(api.POST("/api/v1/moderation/comments/{comment_id}/dismiss", { params: { path: { comment_id: commentId } } }));

export const moderatedClips = (offset = 0, limit = MODERATION_PAGE) =>
  unwrap(api.GET("/api/v1/moderation/clips", { params: { query: { limit, offset } } }));
