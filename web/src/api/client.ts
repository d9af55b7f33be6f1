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

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}
