import { describe, expect, it } from "vitest";
import { partySocketUrl, reconnectDelayMs } from "./usePartySocket";

describe("party socket", () => {
  it("uses wss on https pages and escapes the id", () => {
    expect(partySocketUrl("ab/c", { protocol: "https:", host: "k.example" } as Location)).toBe(
      "wss://k.example/api/v1/parties/ab%2Fc/ws",
    );
    expect(partySocketUrl("x", { protocol: "http:", host: "localhost:8080" } as Location)).toBe(
      "ws://localhost:8080/api/v1/parties/x/ws",
    );
  });

  it("backs off exponentially with jitter, capped", () => {
    expect(reconnectDelayMs(0, 1)).toBe(500);
    expect(reconnectDelayMs(0, 0)).toBe(250);
    expect(reconnectDelayMs(3, 1)).toBe(4000);
    expect(reconnectDelayMs(20, 1)).toBe(15000);
  });
});
