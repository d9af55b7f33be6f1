import { describe, expect, it } from "vitest";
import { ApiError } from "./client";
import type { TooManyStreamsPublic } from "./client";
import { parseStreamConflict, playbackStopUrl, streamConflictOf } from "./devices";

const body: TooManyStreamsPublic = {
  detail: "the Free plan allows 1 stream(s) at once; stop playback on another device first",
  code: "too_many_streams",
  streams: [{ device_id: "d1", device_name: "Chrome on Linux", title: "Big Buck Bunny", profile: "Ana" }],
};

describe("the stream limit's 429", () => {
  it("names the devices holding the streams", () => {
    expect(parseStreamConflict(body)).toEqual(body);
  });

  it("keeps the nulls the API sends for a title or profile the viewer may not see", () => {
    const hidden = { ...body, streams: [{ device_id: "d1", device_name: "TV", title: null, profile: null }] };
    expect(parseStreamConflict(hidden)).toEqual(hidden);
  });

  it("keeps entries with a device id, leaving out what is missing", () => {
    const parsed = parseStreamConflict({
      code: "too_many_streams",
      detail: "limit",
      streams: [{ device_id: "d2" }, { device_name: "no id" }, null, "junk", { device_id: "", title: "x" }, { device_id: "d3", title: 7, profile: "" }],
    });
    expect(parsed?.streams).toEqual([
      { device_id: "d2", device_name: "", title: null, profile: null },
      { device_id: "d3", device_name: "", title: null, profile: null },
    ]);
  });

  it("is a conflict without streams when the list is missing", () => {
    expect(parseStreamConflict({ code: "too_many_streams", detail: "limit" })).toEqual({ code: "too_many_streams", detail: "limit", streams: [] });
  });

  it.each([null, undefined, "text", 429, { code: "rate_limited", detail: "slow down" }, { detail: "no code" }])(
    "is not a stream conflict: %j",
    (other) => {
      expect(parseStreamConflict(other)).toBeNull();
    },
  );

  it("is read from an API error only when it is a 429", () => {
    expect(streamConflictOf(new ApiError(429, "too_many_streams", body.detail, body))?.streams).toHaveLength(1);
    expect(streamConflictOf(new ApiError(403, "too_many_streams", body.detail, body))).toBeNull();
    expect(streamConflictOf(new Error("network"))).toBeNull();
  });

  it("stops playback at the video's own URL", () => {
    expect(playbackStopUrl("0b7c/../x")).toBe("/api/v1/playback/0b7c%2F..%2Fx/stop");
  });
});
