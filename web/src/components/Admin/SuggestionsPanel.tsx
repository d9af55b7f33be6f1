// Auto-tagging suggestions for one title (docs/auto-tagging.md): what the tagger proposed
// on publish, to accept or reject one by one. Accepting a maturity that differs from the
// title's own asks first and then replaces it explicitly; nothing changes by itself.
import { useState } from "react";
import { api, errorMessage, unwrap } from "../../api/client";
import type { SuggestionPublic } from "../../api/client";
import { useApi } from "../../hooks/useApi";
import { useI18n } from "../../i18n";
import type { MessageKey } from "../../i18n/en";
import { ErrorView, Loading } from "../Common/Status";

const KIND_KEYS: Record<SuggestionPublic["kind"], MessageKey> = {
  genre: "suggestions.genre",
  mood: "suggestions.mood",
  theme: "suggestions.theme",
  maturity: "suggestions.maturity",
};

export function SuggestionsPanel({ titleId, onAccepted }: { titleId: string; onAccepted?: (s: SuggestionPublic) => void }) {
  const { t } = useI18n();
  const found = useApi(
    () => unwrap(api.GET("/api/v1/admin/titles/{title_id}/suggestions", { params: { path: { title_id: titleId } } })),
    [titleId],
  );
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const decide = async (s: SuggestionPublic, verb: "accept" | "reject") => {
    const replace = verb === "accept" && s.kind === "maturity" && s.current != null && s.current !== s.value;
    if (replace && !window.confirm(t("suggestions.confirmMaturity", { from: s.current ?? "", to: s.value }))) return;
    setBusy(s.id);
    try {
      const path = { params: { path: { suggestion_id: s.id } } };
      const done = verb === "accept"
        ? await unwrap(api.POST("/api/v1/admin/suggestions/{suggestion_id}/accept", { ...path, body: { replace } }))
        : await unwrap(api.POST("/api/v1/admin/suggestions/{suggestion_id}/reject", path));
      setError(null);
      if (verb === "accept") onAccepted?.(done);
      found.reload();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(null);
    }
  };
  const run = found.data?.run;
  const items = found.data?.suggestions ?? [];
  return (
    <section className="suggestions" aria-label={t("suggestions.title")} data-testid="suggestions">
      <h3>{t("suggestions.title")}</h3>
      {found.loading && !found.data ? <Loading label={t("suggestions.loading")} /> : null}
      {found.error ? <ErrorView error={found.error} onRetry={found.reload} /> : null}
      {run?.state === "failed" ? (
        <p className="status__error" data-testid="suggestions-failed">{t("suggestions.failed", { reason: run.error ?? "" })}</p>
      ) : null}
      {run && (run.state === "queued" || run.state === "running") ? <p className="empty">{t("suggestions.pending")}</p> : null}
      {found.data && !items.length && run?.state !== "failed" ? <p className="empty">{t("suggestions.empty")}</p> : null}
      {error ? <p className="form-error" role="alert">{error}</p> : null}
      {items.length ? (
        <ul className="suggestions__list">
          {items.map((s) => (
            <li key={s.id} data-testid="suggestion" data-kind={s.kind} data-value={s.value}>
              <span className="badge badge--outline">{t(KIND_KEYS[s.kind])}</span> <strong>{s.value}</strong>
              {s.kind === "maturity" && s.current ? <span> ({t("suggestions.current", { value: s.current })})</span> : null}
              <span className="suggestions__meta">
                {" "}· {t(s.source === "claude" ? "suggestions.byClaude" : "suggestions.byLocal")} · {Math.round(s.confidence * 100)}%
              </span>
              {s.reason ? <p className="suggestions__reason">{s.reason}</p> : null}
              <button type="button" className="btn btn--small btn--primary" disabled={busy === s.id} onClick={() => void decide(s, "accept")}
                aria-label={t("suggestions.acceptThis", { value: s.value })}>
                {t("suggestions.accept")}
              </button>{" "}
              <button type="button" className="btn btn--small" disabled={busy === s.id} onClick={() => void decide(s, "reject")}
                aria-label={t("suggestions.rejectThis", { value: s.value })}>
                {t("suggestions.reject")}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
