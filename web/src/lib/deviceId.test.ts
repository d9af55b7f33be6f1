import { describe, expect, it } from "vitest";
import { deviceId, isValidDeviceId, newDeviceId } from "./deviceId";

class MemoryStore {
  items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
}

const broken = {
  getItem(): string | null {
    throw new Error("SecurityError");
  },
  setItem(): void {
    throw new Error("QuotaExceededError");
  },
};

describe("device id", () => {
  it.each([
    ["0123456789abcdef", true],
    ["A".repeat(64), true],
    ["with_under-score_0123", true],
    ["short", false],
    ["A".repeat(65), false],
    ["has space 0123456789", false],
    ["ünïcode0123456789", false],
    ["", false],
  ])("%j is valid: %s", (value, valid) => {
    expect(isValidDeviceId(value)).toBe(valid);
  });

  it("is not valid when not a string", () => {
    expect(isValidDeviceId(null)).toBe(false);
    expect(isValidDeviceId(1234567890123456)).toBe(false);
  });

  it("makes ids the API accepts, from randomUUID or, over plain HTTP, getRandomValues", () => {
    const fromUuid = newDeviceId(crypto);
    expect(fromUuid).toMatch(/^[0-9a-f]{32}$/);
    const insecure = { getRandomValues: (a: Uint8Array<ArrayBuffer>) => crypto.getRandomValues(a) };
    const fromBytes = newDeviceId(insecure);
    expect(fromBytes).toMatch(/^[0-9a-f]{32}$/);
    expect(isValidDeviceId(fromUuid) && isValidDeviceId(fromBytes)).toBe(true);
    expect(fromBytes).not.toBe(newDeviceId(insecure));
  });

  it("is made once and then kept", () => {
    const store = new MemoryStore();
    const first = deviceId(store);
    expect(isValidDeviceId(first)).toBe(true);
    expect(deviceId(store)).toBe(first);
    expect([...store.items.values()]).toEqual([first]);
  });

  it("replaces a stored value the API would refuse", () => {
    const store = new MemoryStore();
    store.setItem("kinema.deviceId", "bad id!");
    const id = deviceId(store);
    expect(id).not.toBe("bad id!");
    expect(isValidDeviceId(id)).toBe(true);
    expect(store.getItem("kinema.deviceId")).toBe(id);
  });

  it("still gives an id when storage is unavailable", () => {
    expect(isValidDeviceId(deviceId(broken))).toBe(true);
    expect(isValidDeviceId(deviceId(null))).toBe(true);
  });
});
