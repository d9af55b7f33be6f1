import { useEffect } from "react";
import { useI18n } from "../i18n";

/** "<page> · Kinema" in the tab, so tabs and history entries say where they lead. */
export function usePageTitle(page: string | null | undefined): void {
  const { t } = useI18n();
  useEffect(() => {
    document.title = page ? `${page} · ${t("app.name")}` : t("app.name");
  }, [page, t]);
}
