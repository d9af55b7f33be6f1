// Resumable uploads from the browser, for files up to the API's 50 GB limit, never
// read whole into memory (Blob.slice streams from disk).
//
// Two transports, chosen by the API when the upload is created:
// - tus (embedded default): PATCH chunks to the API at the server's offset, each with
//   an Upload-Checksum so a corrupted chunk is refused and resent;
// - multipart (S3): PUT parts straight to the object store on presigned URLs, then ask
//   the API to assemble them.
// The upload id is remembered per file (name, size, mtime), so after a reload, a lost
// connection or a pause the same file continues where the server says it stopped.
import { api, ApiError, unwrap } from "../../api/client";
import type { UploadPublic } from "../../api/client";

export const TUS_CHUNK = 8 * 1024 * 1024;
const RESUME_PREFIX = "kinema.upload.";
const MAX_RETRIES = 5;

export interface UploadProgress {
  loaded: number;
  total: number;
}

export class UploadAborted extends Error {
  constructor() {
    super("upload paused");
    this.name = "UploadAborted";
  }
}

/** The name the API accepts for `name`: no folders or control characters, no edge spaces. */
export function uploadName(name: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = name.trim().replace(/[/\\\u0000-\u001f\u007f-\u009f]/g, "_").trim();
  return clean.slice(0, 255).trim() || "upload";
}

export function fingerprint(file: File): string {
  return `${RESUME_PREFIX}${file.name}:${file.size}:${file.lastModified}`;
}

interface XhrResult {
  status: number;
  headers: (name: string) => string | null;
  body: string;
}

function send(
  method: string,
  url: string,
  body: Blob | null,
  headers: Record<string, string>,
  onProgress: (loaded: number) => void,
  signal: AbortSignal,
  withCredentials: boolean,
): Promise<XhrResult> {
  // XMLHttpRequest, not fetch: only XHR reports upload progress, which the bar needs.
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new UploadAborted());
      return;
    }
    const xhr = new XMLHttpRequest();
    xhr.open(method, url);
    xhr.withCredentials = withCredentials;
    for (const [k, v] of Object.entries(headers)) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => onProgress(e.loaded);
    xhr.onload = () =>
      resolve({ status: xhr.status, headers: (n) => xhr.getResponseHeader(n), body: xhr.responseText });
    xhr.onerror = () => reject(new Error(`network error during ${method} ${url}`));
    xhr.onabort = () => reject(new UploadAborted());
    signal.addEventListener("abort", () => xhr.abort(), { once: true });
    xhr.send(body);
  });
}

async function base64Digest(algorithm: "SHA-256" | "MD5", blob: Blob): Promise<string | null> {
  // SubtleCrypto exists only in secure contexts (https, localhost); elsewhere the upload
  // goes without a per-chunk checksum rather than not at all.
  if (algorithm !== "SHA-256" || !globalThis.crypto?.subtle) return null;
  const digest = await crypto.subtle.digest(algorithm, await blob.arrayBuffer());
  let binary = "";
  for (const byte of new Uint8Array(digest)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = window.setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      window.clearTimeout(timer);
      reject(new UploadAborted());
    }, { once: true });
  });
}

async function existing(file: File): Promise<UploadPublic | null> {
  const id = localStorage.getItem(fingerprint(file));
  if (!id) return null;
  try {
    const upload = await unwrap(api.GET("/api/v1/admin/uploads/{upload_id}", { params: { path: { upload_id: id } } }));
    if (upload.status === "aborted") throw new Error("aborted");
    return upload;
  } catch {
    localStorage.removeItem(fingerprint(file));
    return null;
  }
}

async function tusOffset(url: string, signal: AbortSignal): Promise<number> {
  const head = await send("HEAD", url, null, { "Tus-Resumable": "1.0.0" }, () => {}, signal, true);
  if (head.status !== 200) throw new ApiError(head.status, "tus_head", `cannot resume upload (HTTP ${head.status})`);
  return Number(head.headers("Upload-Offset") ?? "0");
}

async function uploadTus(file: File, upload: UploadPublic, onProgress: (p: UploadProgress) => void, signal: AbortSignal): Promise<void> {
  const url = upload.tus_url ?? `/api/v1/admin/uploads/tus/${upload.id}`;
  let offset = upload.offset;
  let failures = 0;
  onProgress({ loaded: offset, total: file.size });
  while (offset < file.size) {
    const chunk = file.slice(offset, Math.min(file.size, offset + TUS_CHUNK));
    const headers: Record<string, string> = {
      "Tus-Resumable": "1.0.0",
      "Upload-Offset": String(offset),
      "Content-Type": "application/offset+octet-stream",
    };
    const checksum = await base64Digest("SHA-256", chunk);
    if (checksum) headers["Upload-Checksum"] = `sha256 ${checksum}`;
    const start = offset;
    let res: XhrResult;
    try {
      res = await send("PATCH", url, chunk, headers, (n) => onProgress({ loaded: start + n, total: file.size }), signal, true);
    } catch (err) {
      if (err instanceof UploadAborted || ++failures > MAX_RETRIES) throw err;
      await sleep(500 * 2 ** failures, signal);
      offset = await tusOffset(url, signal);
      continue;
    }
    if (res.status === 204) {
      offset = Number(res.headers("Upload-Offset") ?? start + chunk.size);
      failures = 0;
      onProgress({ loaded: offset, total: file.size });
    } else if (res.status === 409 || res.status === 460 || res.status === 423 || res.status >= 500) {
      // Offset mismatch, corrupted chunk, concurrent PATCH or a server hiccup: ask the
      // server where it is and go on from there.
      if (++failures > MAX_RETRIES) throw new ApiError(res.status, "tus_patch", detailOf(res));
      await sleep(300 * 2 ** failures, signal);
      offset = await tusOffset(url, signal);
    } else {
      throw new ApiError(res.status, "tus_patch", detailOf(res));
    }
  }
}

function detailOf(res: XhrResult): string {
  try {
    const body = JSON.parse(res.body) as { detail?: unknown };
    if (typeof body.detail === "string") return body.detail;
  } catch {
    // not JSON
  }
  return `upload request failed (HTTP ${res.status})`;
}

async function uploadMultipart(file: File, upload: UploadPublic, onProgress: (p: UploadProgress) => void, signal: AbortSignal): Promise<void> {
  const partSize = upload.part_size ?? 16 * 1024 * 1024;
  const count = upload.part_count ?? Math.ceil(file.size / partSize);
  const done = new Set(upload.parts_received ?? []);
  const etags = new Map<number, string>();
  const partLength = (n: number) => Math.min(partSize, file.size - (n - 1) * partSize);
  let completed = [...done].reduce((sum, n) => sum + partLength(n), 0);
  onProgress({ loaded: completed, total: file.size });
  const todo = Array.from({ length: count }, (_, i) => i + 1).filter((n) => !done.has(n));
  for (let i = 0; i < todo.length; i += 100) {
    const batch = todo.slice(i, i + 100);
    const signed = await unwrap(
      api.POST("/api/v1/admin/uploads/{upload_id}/parts", { params: { path: { upload_id: upload.id } }, body: { part_numbers: batch } }),
    );
    for (const part of signed.urls) {
      const n = part.part_number;
      const blob = file.slice((n - 1) * partSize, (n - 1) * partSize + partLength(n));
      let attempt = 0;
      for (;;) {
        try {
          const res = await send("PUT", part.url, blob, part.headers, (loaded) => onProgress({ loaded: completed + loaded, total: file.size }), signal, false);
          if (res.status < 200 || res.status >= 300) throw new ApiError(res.status, "part_put", `part ${n} refused (HTTP ${res.status})`);
          const etag = res.headers("ETag");
          if (etag) etags.set(n, etag);
          break;
        } catch (err) {
          if (err instanceof UploadAborted || ++attempt > MAX_RETRIES) throw err;
          await sleep(500 * 2 ** attempt, signal);
        }
      }
      completed += blob.size;
      onProgress({ loaded: completed, total: file.size });
    }
  }
  // Without every ETag (a store that hides it from scripts) the API lists the parts itself.
  const parts = etags.size === count ? [...etags].map(([number, etag]) => ({ number, etag })) : null;
  await unwrap(api.POST("/api/v1/admin/uploads/{upload_id}/complete", { params: { path: { upload_id: upload.id } }, body: { parts } }));
}

/** Upload `file`, resuming a previous attempt of the same file; resolves to the upload. */
export async function uploadFile(file: File, onProgress: (p: UploadProgress) => void, signal: AbortSignal): Promise<UploadPublic> {
  let upload = await existing(file);
  if (!upload) {
    upload = await unwrap(
      api.POST("/api/v1/admin/uploads", {
        body: { filename: uploadName(file.name), size: file.size, content_type: file.type || "application/octet-stream" },
      }),
    );
    localStorage.setItem(fingerprint(file), upload.id);
  }
  if (upload.status !== "completed") {
    if (upload.method === "tus") {
      const url = upload.tus_url ?? `/api/v1/admin/uploads/tus/${upload.id}`;
      upload = { ...upload, offset: await tusOffset(url, signal) };
      await uploadTus(file, upload, onProgress, signal);
    } else {
      await uploadMultipart(file, upload, onProgress, signal);
    }
  }
  onProgress({ loaded: file.size, total: file.size });
  const final = await unwrap(api.GET("/api/v1/admin/uploads/{upload_id}", { params: { path: { upload_id: upload.id } } }));
  localStorage.removeItem(fingerprint(file));
  return final;
}

export async function abortUpload(file: File): Promise<void> {
  const id = localStorage.getItem(fingerprint(file));
  localStorage.removeItem(fingerprint(file));
  if (id) await api.DELETE("/api/v1/admin/uploads/{upload_id}", { params: { path: { upload_id: id } } });
}
