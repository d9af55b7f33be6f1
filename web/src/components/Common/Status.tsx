// Loading, error and empty states shared by the pages.
import { errorMessage } from "../../api/client";
import { useI18n } from "../../i18n";

export function Loading({ label }: { label?: string }) {
  const { t } = useI18n();
  return (
    <div className="loading" role="status">
      <span className="loading__spinner" aria-hidden="true" />
      <span className="visually-hidden">{label ?? t("common.loading")}</span>
    </div>
  );
}

export function ErrorView({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useI18n();
  return (
    <div className="error-view" role="alert">
      <p>{t("common.error", { error: errorMessage(error) })}</p>
      {onRetry ? (
        <button type="button" className="btn" onClick={onRetry}>
          {t("common.retry")}
        </button>
      ) : null}
    </div>
  );
}

export function Empty({ children }: { children: React.ReactNode }) {
  return <p className="empty">{children}</p>;
}
