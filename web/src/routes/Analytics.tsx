// Admin analytics: Overview, Quality, Content, Audience, Business and Pipeline pages, and
// Users (tabs kept in the URL's ?page=); one date range and set of filters for all of
// the charts. Title, plan, browser and quality filter Quality, Content and Audience;
// Overview, Business and Pipeline take the range only (their figures have no such
// dimension) and say so; Users has neither. The filters offer what the range holds.
import { useMemo, useState } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { getDimensions, type AnalyticsFilters } from "../api/analytics";
import { AudiencePage } from "../components/Analytics/AudiencePage";
import { BusinessPage } from "../components/Analytics/BusinessPage";
import { ContentPage } from "../components/Analytics/ContentPage";
import { FilterBar, type FilterState } from "../components/Analytics/FilterBar";
import { OverviewPage } from "../components/Analytics/OverviewPage";
import { PipelinePage } from "../components/Analytics/PipelinePage";
import { filterKind } from "../components/Analytics/options";
import { QoePage } from "../components/Analytics/QoePage";
import { dayStart, grainFor, nextDayStart, presetDays } from "../components/Analytics/range";
import { UsersPage } from "../components/Analytics/UsersPage";
import { useApi } from "../hooks/useApi";
import { useAuth } from "../hooks/useAuth";
import { usePageTitle } from "../hooks/usePageTitle";
import { useI18n } from "../i18n";

const PAGES = ["overview", "qoe", "content", "audience", "business", "pipeline", "users"] as const;
type Page = (typeof PAGES)[number];

/** Opened on the Overview: today so far against the same hours before it; elsewhere the
 *  last 7 days. */
function initialFilters(page: Page): FilterState {
  const preset = page === "overview" ? "today" : "7d";
  const [from, to] = presetDays(preset);
  return { preset, from, to, browser: "", plan: "", rung: "", title: "" };
}

export default function AnalyticsPage() {
  const { t } = useI18n();
  const { user, isKids } = useAuth();
  const [params, setParams] = useSearchParams();
  const requested = params.get("page");
  const page: Page = PAGES.includes(requested as Page) ? (requested as Page) : "overview";
  const [state, setState] = useState<FilterState>(() => initialFilters(page));
  usePageTitle(t("analytics.title"));

  const onChange = (next: FilterState) => {
    if (next.preset !== "custom") {
      const [from, to] = presetDays(next.preset);
      next = { ...next, from, to };
    }
    setState(next);
  };
  // Overview compares the range, cut at now, with as many hours just before it.
  const filters: AnalyticsFilters = useMemo(
    () => ({
      start: dayStart(state.from),
      end: nextDayStart(state.to),
      grain: grainFor(state.from, state.to),
      browser: state.browser,
      plan: state.plan,
      rung: state.rung,
      title: state.title,
    }),
    [state],
  );
  const { start, end, grain } = filters;
  const isAdmin = !isKids && user?.role === "admin";
  const kind = filterKind(page);
  // The filters' options follow the range only (not the other filters).
  const dimensions = useApi(
    () => (isAdmin ? getDimensions({ start, end, grain, browser: "", plan: "", rung: "", title: "" }) : Promise.resolve(undefined)),
    [start, end, grain, isAdmin],
  );

  if (!isAdmin) return <p className="empty">{t("analytics.forbidden")}</p>;
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
      {page !== "users" ? <FilterBar value={state} options={dimensions.data} onChange={onChange} dimensions={kind === "all"} /> : null}
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
