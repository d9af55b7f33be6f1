// The admin analytics API: one fetcher per page, and the CSV export's URL (the browser
// downloads it with the session cookie).
import { api, unwrap } from "./client";
import type { components } from "./schema";

export type OverviewPublic = components["schemas"]["OverviewPublic"];
export type QoePublic = components["schemas"]["QoePublic"];
export type ContentPublic = components["schemas"]["ContentPublic"];
export type BusinessPublic = components["schemas"]["BusinessPublic"];
export type AudiencePublic = components["schemas"]["AudiencePublic"];
export type PipelinePublic = components["schemas"]["PipelinePublic"];
export type Dimension = components["schemas"]["Dimension"];
export type Grain = components["schemas"]["Grain"];

export interface AnalyticsFilters {
  start: string; // ISO instant
  end: string;
  grain: Grain;
  browser: string;
  plan: string;
  rung: string;
}

export function filterQuery(f: AnalyticsFilters) {
  return {
    start: f.start,
    end: f.end,
    grain: f.grain,
    browser: f.browser || undefined,
    plan: f.plan || undefined,
    rung: f.rung || undefined,
  };
}

export const getOverview = (f: AnalyticsFilters) =>
  unwrap(api.GET("/api/v1/admin/analytics/overview", { params: { query: filterQuery(f) } }));
export const getQoe = (f: AnalyticsFilters, by: Dimension) =>
  unwrap(api.GET("/api/v1/admin/analytics/qoe", { params: { query: { ...filterQuery(f), by } } }));
export const getContent = (f: AnalyticsFilters) =>
  unwrap(api.GET("/api/v1/admin/analytics/content", { params: { query: filterQuery(f) } }));
export const getBusiness = (f: AnalyticsFilters) =>
  unwrap(api.GET("/api/v1/admin/analytics/business", { params: { query: filterQuery(f) } }));
export const getAudience = (f: AnalyticsFilters, tz: string) =>
  unwrap(api.GET("/api/v1/admin/analytics/audience", { params: { query: { ...filterQuery(f), tz } } }));
export const getPipeline = (f: AnalyticsFilters) =>
  unwrap(api.GET("/api/v1/admin/analytics/pipeline", { params: { query: filterQuery(f) } }));

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
