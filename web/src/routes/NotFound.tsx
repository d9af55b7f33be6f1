import { Link } from "react-router-dom";
import { usePageTitle } from "../hooks/usePageTitle";
import { useI18n } from "../i18n";

export function NotFoundPage() {
  const { t } = useI18n();
  usePageTitle(t("common.notFound"));
  return (
    <div className="page page--center">
      <h1 className="page__title">{t("common.notFound")}</h1>
      <Link className="btn btn--primary" to="/">
        {t("common.goHome")}
      </Link>
    </div>
  );
}
