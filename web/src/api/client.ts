// The typed API client: openapi-fetch over the generated `schema.d.ts` (run
// `npm run gen-api` after the API changes; never edit the schema by hand). Calls go to
// the same origin, so the httpOnly session cookie rides along and no token is ever
// visible to scripts.
import createClient from "openapi-fetch";
import type { paths } from "./schema";

export type * from "./schema";

export const api = createClient<paths>({ baseUrl: "", credentials: "same-origin" });

/** An API error with the server's one-line message (`{"code", "detail"}` bodies). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  /** The parsed error body, for errors that carry more than a line (a 429's streams). */
  readonly body: unknown;

  constructor(status: number, code: string, message: string, body: unknown = null) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.body = body;
  }
}

function describe(error: unknown, status: number): { code: string; detail: string } {
  if (error && typeof error === "object") {
    const body = error as { code?: unknown; detail?: unknown };
    if (typeof body.detail === "string") {
      return { code: typeof body.code === "string" ? body.code : String(status), detail: body.detail };
    }
    if (Array.isArray(body.detail)) {
      // FastAPI validation errors: name the first failing field.
      const first = body.detail[0] as { loc?: unknown[]; msg?: string } | undefined;
      const field = first?.loc?.slice(1).join(".") ?? "";
      return { code: "validation_error", detail: `${field ? `${field}: ` : ""}${first?.msg ?? "invalid input"}` };
    }
  }
  return { code: String(status), detail: `request failed (HTTP ${status})` };
}

/** Unwrap an openapi-fetch result: the data, or an ApiError. */
export async function unwrap<T>(
  pending: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  const { data, error, response } = await pending;
  if (!response.ok || error !== undefined) {
    const { code, detail } = describe(error, response.status);
    throw new ApiError(response.status, code, detail, error ?? null);
  }
  return data as T;
}

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/**
 * A call to an endpoint the generated schema does not describe yet (the hand-written
 * types in billing.ts and devices.ts): same origin and cookie as `api`, JSON in and out,
 * and the same ApiError on failure. A 204 answers undefined.
 */
export async function request<T>(method: Method, path: string, body?: unknown, init?: RequestInit): Promise<T> {
  const response = await fetch(path, {
    ...init,
    method,
    credentials: "same-origin",
    headers: body === undefined ? { Accept: "application/json" } : { Accept: "application/json", "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = response.status === 204 ? "" : await response.text();
  let parsed: unknown = undefined;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
  }
  if (!response.ok) {
    const { code, detail } = describe(parsed, response.status);
    throw new ApiError(response.status, code, detail, parsed ?? null);
  }
  return parsed as T;
}

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}
