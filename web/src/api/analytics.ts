// The admin analytics API: one fetcher per page, the filters' values found in a range,
// and the CSV export's URL (the browser downloads it with the session cookie). Overview,
// Business and Pipeline take the range only; their figures have no title, plan, browser
// or rung.
import { api, unwrap } from "./client";
import type { components } from "./schema";

export type OverviewPublic = components["schemas"]["OverviewPublic"];
export type QoePublic = components["schemas"]["QoePublic"];
export type ContentPublic = components["schemas"]["ContentPublic"];
export type BusinessPublic = components["schemas"]["BusinessPublic"];
export type AudiencePublic = components["schemas"]["AudiencePublic"];
export type PipelinePublic = components["schemas"]["PipelinePublic"];
export type Dimension = components["schemas"]["Dimension"];
export type DimensionsPublic = components["schemas"]["DimensionsPublic"];
export type DimensionOption = components["schemas"]["DimensionOption"];
export type Period = components["schemas"]["Period"];
export type Grain = components["schemas"]["Grain"];

export interface AnalyticsFilters {
  start: string; // ISO instant
  end: string;
  grain: Grain;
  browser: string;
  plan: string;
  rung: string;
  title: string; // a title's id, "" for all
}

export function rangeQuery(f: AnalyticsFilters) {
  return { start: f.start, end: f.end, grain: f.grain };
}

export function filterQuery(f: AnalyticsFilters) {
  return {
    ...rangeQuery(f),
    browser: f.browser || undefined,
    plan: f.plan || undefined,
    rung: f.rung || undefined,
    title_id: f.title || undefined,
  };
}

export const getOverview = (f: AnalyticsFilters) =>
  unwrap(api.GET("/api/v1/admin/analytics/overview", { params: { query: rangeQuery(f) } }));
export const getDimensions = (f: AnalyticsFilters) =>
  unwrap(api.GET("/api/v1/admin/analytics/dimensions", { params: { query: rangeQuery(f) } }));
export const getQoe = (f: AnalyticsFilters, by: Dimension) =>
  unwrap(api.GET("/api/v1/admin/analytics/qoe", { params: { query: { ...filterQuery(f), by } } }));
/** ``videoId``: the video whose retention curve to show ("" for the most viewed). */
export const getContent = (f: AnalyticsFilters, videoId = "") =>
  unwrap(api.GET("/api/v1/admin/analytics/content", { params: { query: { ...filterQuery(f), retention_video_id: videoId || undefined } } }));
export const getBusiness = (f: AnalyticsFilters) =>
  unwrap(api.GET("/api/v1/admin/analytics/business", { params: { query: rangeQuery(f) } }));
export const getAudience = (f: AnalyticsFilters, tz: string) =>
  unwrap(api.GET("/api/v1/admin/analytics/audience", { params: { query: { ...filterQuery(f), tz } } }));
export const getPipeline = (f: AnalyticsFilters) =>
  unwrap(api.GET("/api/v1/admin/analytics/pipeline", { params: { query: rangeQuery(f) } }));

/** The browser's IANA time zone (the Audience heatmap's days and hours), UTC if unknown. */
export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

export function csvUrl(table: string, f: AnalyticsFilters, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...filterQuery(f), ...extra })) {
    if (value) params.set(key, value);
  }
  return `/api/v1/admin/analytics/export/${table}.csv?${params.toString()}`;
}
