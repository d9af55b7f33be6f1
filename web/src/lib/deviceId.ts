// This browser's device id: made once, kept in localStorage, and sent with every sign-in
// and sign-up, so the API counts streams and lists devices per browser, not per login.
// Not a secret (the session cookie is): it only tells this browser's logins apart.

const STORAGE_KEY = "kinema.deviceId";
/** What the API accepts as a device id. */
export const DEVICE_ID_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;

export function isValidDeviceId(value: unknown): value is string {
  return typeof value === "string" && DEVICE_ID_PATTERN.test(value);
}

/** The part of `crypto` an id is made with (`randomUUID` is missing over plain HTTP). */
export interface Random {
  getRandomValues(array: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer>;
  randomUUID?: () => string;
}

/** A new id: 32 hex digits. `crypto.randomUUID` exists only on HTTPS (and localhost);
 *  a page from a server reached over plain HTTP on a LAN still has `getRandomValues`. */
export function newDeviceId(random: Random = crypto): string {
  if (typeof random.randomUUID === "function") return random.randomUUID().replace(/-/g, "");
  const bytes = random.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

type Store = Pick<Storage, "getItem" | "setItem">;

/** The stored id, or a new one stored now (kept for the page alone when storage fails). */
export function deviceId(store: Store | null = safeLocalStorage(), random: Random = crypto): string {
  let saved: string | null = null;
  try {
    saved = store?.getItem(STORAGE_KEY) ?? null;
  } catch {
    // Storage disabled: a new id, for this page only.
  }
  if (isValidDeviceId(saved)) return saved;
  const id = newDeviceId(random);
  try {
    store?.setItem(STORAGE_KEY, id);
  } catch {
    // Not persisted; the next sign-in in this browser counts as another device.
  }
  return id;
}

function safeLocalStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}
