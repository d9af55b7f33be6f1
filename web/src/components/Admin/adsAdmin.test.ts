import { describe, expect, it } from "vitest";
import { ApiError } from "../../api/client";
import type { AdCreativePublic, AdminVideoPublic } from "../../api/client";
import { fromLocalInput, markable, refusal, toLocalInput, windowInvalid } from "./adsAdmin";

describe("admin ads helpers", () => {
  it("round-trips datetime-local values through ISO instants", () => {
    const iso = fromLocalInput("2026-12-24T18:30");
    expect(iso).not.toBeNull();
    expect(toLocalInput(iso)).toBe("2026-12-24T18:30");
    expect(fromLocalInput("")).toBeNull();
    expect(fromLocalInput("not a date")).toBeNull();
    expect(toLocalInput(null)).toBe("");
  });

  it("refuses a window that does not start before it ends", () => {
    expect(windowInvalid("2026-12-02T00:00:00Z", "2026-12-01T00:00:00Z")).toBe(true);
    expect(windowInvalid("2026-12-01T00:00:00Z", "2026-12-01T00:00:00Z")).toBe(true);
    expect(windowInvalid("2026-12-01T00:00:00Z", null)).toBe(false);
    expect(windowInvalid(null, null)).toBe(false);
  });

  it("offers ready film videos that are not ads yet", () => {
    const v = (id: string, status: string, kind: string) => ({ id, status, kind }) as unknown as AdminVideoPublic;
    const videos = [v("a", "ready", "movie"), v("b", "processing", "movie"), v("c", "ready", "series"), v("d", "ready", "movie")];
    const creatives = [{ video_id: "d" } as AdCreativePublic];
    expect(markable(videos, creatives).map((x) => x.id)).toEqual(["a"]);
  });

  it("names the API's refusals", () => {
    expect(refusal(new ApiError(409, "conflict", "already"))).toEqual({ key: "adsAdmin.err.conflict" });
    expect(refusal(new ApiError(409, "invalid_change", "an episode"))).toEqual({ key: "adsAdmin.err.invalid", detail: "an episode" });
    expect(refusal(new ApiError(422, "validation_error", "weight"))).toEqual({ key: "adsAdmin.err.validation" });
    expect(refusal(new ApiError(404, "not_found", "gone"))).toEqual({ key: "adsAdmin.err.notFound" });
    expect(refusal(new ApiError(500, "error", "boom"))).toBeNull();
    expect(refusal(new Error("x"))).toBeNull();
  });
});
