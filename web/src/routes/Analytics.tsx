// Admin analytics: Overview, Quality, Content, Audience, Business and Pipeline pages, and
// Users (tabs kept in the URL's ?page=); one date range and set of filters for all of
// the charts (Pipeline takes the range only; Users has neither).
import { useMemo, useState } from "react";
import { Link, useSearchParams } from "react-router-dom";
import type { AnalyticsFilters } from "../api/analytics";
import { AudiencePage } from "../components/Analytics/AudiencePage";
import { BusinessPage } from "../components/Analytics/BusinessPage";
import { ContentPage } from "../components/Analytics/ContentPage";
import { FilterBar, type FilterState } from "../components/Analytics/FilterBar";
import { OverviewPage } from "../components/Analytics/OverviewPage";
import { PipelinePage } from "../components/Analytics/PipelinePage";
import { QoePage } from "../components/Analytics/QoePage";
import { dayStart, grainFor, nextDayStart, presetDays } from "../components/Analytics/range";
import { UsersPage } from "../components/Analytics/UsersPage";
import { useAuth } from "../hooks/useAuth";
import { usePageTitle } from "../hooks/usePageTitle";
import { useI18n } from "../i18n";

const PAGES = ["overview", "qoe", "content", "audience", "business", "pipeline", "users"] as const;
type Page = (typeof PAGES)[number];
const PLANS = ["free", "standard", "premium"];

function initialFilters(): FilterState {
  const [from, to] = presetDays("7d");
  return { preset: "7d", from, to, browser: "", plan: "", rung: "" };
}

export default function AnalyticsPage() {
  const { t } = useI18n();
  const { user, isKids } = useAuth();
  const [params, setParams] = useSearchParams();
  const requested = params.get("page");
  const page: Page = PAGES.includes(requested as Page) ? (requested as Page) : "overview";
  const [state, setState] = useState<FilterState>(initialFilters);
  usePageTitle(t("analytics.title"));

  const onChange = (next: FilterState) => {
    if (next.preset !== "custom") {
      const [from, to] = presetDays(next.preset);
      next = { ...next, from, to };
    }
    setState(next);
  };
  // Overview compares a period with the one before: "today" by default there.
  const filters: AnalyticsFilters = useMemo(
    () => ({
      start: dayStart(state.from),
      end: nextDayStart(state.to),
      grain: grainFor(state.from, state.to),
      browser: state.browser,
      plan: state.plan,
      rung: state.rung,
    }),
    [state],
  );

  if (isKids || user?.role !== "admin") return <p className="empty">{t("analytics.forbidden")}</p>;
  return (
    <div className="page admin analytics">
      <div className="analytics__head">
        <h1 className="page__title">{t("analytics.title")}</h1>
        <Link to="/admin" className="btn btn--small">
          {t("analytics.back")}
        </Link>
      </div>
      <nav className="analytics__tabs" aria-label={t("analytics.tabs")}>
        {PAGES.map((p) => (
          <button
            key={p}
            type="button"
            className="analytics__tab"
            aria-current={p === page ? "page" : undefined}
            data-testid={`tab-${p}`}
            onClick={() => setParams({ page: p }, { replace: true })}
          >
            {t(`analytics.tab.${p}`)}
          </button>
        ))}
      </nav>
      {page !== "users" ? <FilterBar value={state} plans={PLANS} onChange={onChange} dimensions={page !== "pipeline"} /> : null}
      {page === "overview" ? <OverviewPage filters={filters} /> : null}
      {page === "qoe" ? <QoePage filters={filters} /> : null}
      {page === "content" ? <ContentPage filters={filters} /> : null}
      {page === "audience" ? <AudiencePage filters={filters} /> : null}
      {page === "business" ? <BusinessPage filters={filters} /> : null}
      {page === "pipeline" ? <PipelinePage filters={filters} /> : null}
      {page === "users" ? <UsersPage /> : null}
    </div>
  );
}
