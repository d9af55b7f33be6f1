// The images an admin uploads for a title (docs/artwork.md): each is a variant of the
// title's next artwork test, beside its current poster and the transcoder's candidates.
// A file goes through the upload API like a video (with progress), then the server
// checks it (JPEG or PNG, sizes) and keeps a re-encoded copy without its metadata.
import { useRef, useState } from "react";
import { errorMessage } from "../../api/client";
import { addArtworkUpload, deleteArtworkUpload, listArtworkUploads } from "../../api/artwork";
import { useApi } from "../../hooks/useApi";
import { useI18n } from "../../i18n";
import { ErrorView, Loading } from "../Common/Status";
import { uploadFile } from "./uploader";
import "./artwork.css";

const ACCEPT = "image/jpeg,image/png";

export function ArtworkUploads({ titleId }: { titleId: string }) {
  const { t } = useI18n();
  const images = useApi(() => listArtworkUploads(titleId), [titleId]);
  const [progress, setProgress] = useState<{ name: string; pct: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);

  const add = async (file: File) => {
    setError(null);
    setProgress({ name: file.name, pct: 0 });
    try {
      const upload = await uploadFile(
        file,
        (p) => setProgress({ name: file.name, pct: p.total ? Math.round((p.loaded / p.total) * 100) : 0 }),
        new AbortController().signal,
      );
      await addArtworkUpload(titleId, upload.id);
      images.reload();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setProgress(null);
      if (input.current) input.current.value = "";
    }
  };

  const remove = async (name: string) => {
    if (!window.confirm(t("artwork.confirmDeleteImage"))) return;
    try {
      await deleteArtworkUpload(titleId, name);
      setError(null);
      images.reload();
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  return (
    <div className="artwork__uploads" data-testid="artwork-uploads">
      <h3>{t("artwork.uploads")}</h3>
      <p className="empty">{t("artwork.uploadsHint")}</p>
      {images.loading && !images.data ? <Loading label={t("artwork.uploadsLoading")} /> : null}
      {images.error ? <ErrorView error={images.error} onRetry={images.reload} /> : null}
      {images.data && !images.data.length ? <p className="empty">{t("artwork.uploadsEmpty")}</p> : null}
      <ul className="artwork__images">
        {(images.data ?? []).map((image, n) => (
          <li key={image.name} data-testid="artwork-upload">
            <img src={image.image_url} alt={t("artwork.imageAlt", { n: String(n + 1) })} width={96} loading="lazy" />
            <button
              type="button"
              className="btn btn--small"
              onClick={() => void remove(image.name)}
              aria-label={t("artwork.deleteImageLabel", { n: String(n + 1) })}
            >
              {t("artwork.deleteImage")}
            </button>
          </li>
        ))}
      </ul>
      <label className="btn btn--small">
        {t("artwork.addImage")}
        <input
          ref={input}
          type="file"
          accept={ACCEPT}
          className="visually-hidden"
          disabled={progress !== null}
          data-testid="artwork-file"
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) void add(file);
          }}
        />
      </label>
      {progress ? (
        <p role="status">
          {t("artwork.uploading", { name: progress.name, pct: String(progress.pct) })}{" "}
          <progress max={100} value={progress.pct} />
        </p>
      ) : null}
      {error ? <p className="form-error" role="alert">{error}</p> : null}
    </div>
  );
}
