import { describe, expect, it } from "vitest";
import { ApiError } from "./client";
import { parseStreamConflict, playbackStopUrl, streamConflictOf } from "./devices";

const body = {
  detail: "the Free plan allows 1 stream(s) at once; stop playback on another device first",
  code: "too_many_streams",
  streams: [{ device_id: "d1", device_name: "Chrome on Linux", title: "Big Buck Bunny", profile: "Ana" }],
};

describe("the stream limit's 429", () => {
  it("names the devices holding the streams", () => {
    expect(parseStreamConflict(body)).toEqual({
      detail: body.detail,
      streams: [{ device_id: "d1", device_name: "Chrome on Linux", title: "Big Buck Bunny", profile: "Ana" }],
    });
  });

  it("keeps entries with a device id, filling what is missing with empty text", () => {
    const parsed = parseStreamConflict({
      code: "too_many_streams",
      detail: "limit",
      streams: [{ device_id: "d2" }, { device_name: "no id" }, null, "junk", { device_id: "", title: "x" }],
    });
    expect(parsed?.streams).toEqual([{ device_id: "d2", device_name: "", title: "", profile: "" }]);
  });

  it("is a conflict without streams when the list is missing", () => {
    expect(parseStreamConflict({ code: "too_many_streams", detail: "limit" })).toEqual({ detail: "limit", streams: [] });
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
