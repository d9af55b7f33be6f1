// Search with filters. The query and filters live in the URL, so a search can be
// shared, bookmarked and gone back to.
import { useEffect, useState } from "react";
import { useSearchParams } from "react-router-dom";
import { api, unwrap } from "../api/client";
import type { Maturity, TitleKind } from "../api/client";
import { Empty, ErrorView, Loading } from "../components/Common/Status";
import { TitleGrid } from "../components/Catalog/Grid";
import { MATURITIES, maturityLabel } from "../components/Catalog/maturity";
import { useApi } from "../hooks/useApi";
import { usePageTitle } from "../hooks/usePageTitle";
import { useI18n } from "../i18n";

const DEBOUNCE_MS = 250;

export function SearchPage() {
  const { t } = useI18n();
  const [params, setParams] = useSearchParams();
  const q = params.get("q") ?? "";
  const genre = params.get("genre") ?? "";
  const year = params.get("year") ?? "";
  const type = params.get("type") ?? "";
  const maturity = params.get("maturity") ?? "";
  const [text, setText] = useState(q);
  useEffect(() => setText(q), [q]);
  usePageTitle(q ? t("search.results", { q }) : t("nav.search"));

  // Type-ahead: update the URL (replace, not push) shortly after typing stops.
  useEffect(() => {
    if (text === q) return;
    const timer = window.setTimeout(() => {
      const next = new URLSearchParams(params);
      if (text.trim()) next.set("q", text.trim());
      else next.delete("q");
      setParams(next, { replace: true });
    }, DEBOUNCE_MS);
    return () => window.clearTimeout(timer);
  }, [text, q, params, setParams]);

  const genres = useApi(() => unwrap(api.GET("/api/v1/genres")), []);
  const hasQuery = Boolean(q || genre || year || type || maturity);
  const results = useApi(
    () =>
      hasQuery
        ? unwrap(
            api.GET("/api/v1/search", {
              params: {
                query: {
                  q,
                  genre: genre || undefined,
                  year: year ? Number(year) : undefined,
                  type: (type || undefined) as TitleKind | undefined,
                  maturity: (maturity || undefined) as Maturity | undefined,
                  limit: 60,
                },
              },
            }),
          )
        : Promise.resolve(null),
    [q, genre, year, type, maturity],
  );

  const setFilter = (name: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    setParams(next, { replace: true });
  };

  return (
    <div className="page search-page">
      <h1 className="page__title">{t("nav.search")}</h1>
      <form className="search-form" role="search" onSubmit={(e) => e.preventDefault()}>
        <div className="field field--grow">
          <label htmlFor="search-q">{t("search.label")}</label>
          <input id="search-q" type="search" value={text} onChange={(e) => setText(e.currentTarget.value)} placeholder={t("search.placeholder")} autoFocus />
        </div>
        <fieldset className="search-form__filters">
          <legend className="visually-hidden">{t("search.filters")}</legend>
          <div className="field">
            <label htmlFor="f-genre">{t("search.genre")}</label>
            <select id="f-genre" value={genre} onChange={(e) => setFilter("genre", e.currentTarget.value)}>
              <option value="">{t("search.any")}</option>
              {genres.data?.map((g) => (
                <option key={g.slug} value={g.slug}>
                  {g.name}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="f-type">{t("search.type")}</label>
            <select id="f-type" value={type} onChange={(e) => setFilter("type", e.currentTarget.value)}>
              <option value="">{t("search.any")}</option>
              <option value="movie">{t("title.movie")}</option>
              <option value="series">{t("title.series")}</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor="f-year">{t("search.year")}</label>
            <input id="f-year" type="number" inputMode="numeric" min={1870} max={2200} value={year} onChange={(e) => setFilter("year", e.currentTarget.value)} />
          </div>
          <div className="field">
            <label htmlFor="f-maturity">{t("search.maturity")}</label>
            <select id="f-maturity" value={maturity} onChange={(e) => setFilter("maturity", e.currentTarget.value)}>
              <option value="">{t("search.any")}</option>
              {MATURITIES.map((m) => (
                <option key={m} value={m}>
                  {maturityLabel(m, t)}
                </option>
              ))}
            </select>
          </div>
        </fieldset>
      </form>
      <div aria-live="polite" className="search-page__results">
        {!hasQuery ? <Empty>{t("search.prompt")}</Empty> : null}
        {hasQuery && results.loading ? <Loading /> : null}
        {results.error ? <ErrorView error={results.error} onRetry={results.reload} /> : null}
        {hasQuery && !results.loading && results.data ? (
          results.data.items.length ? (
            <>
              {q ? <h2 className="visually-hidden">{t("search.results", { q })}</h2> : null}
              <TitleGrid titles={results.data.items} label={q ? t("search.results", { q }) : t("nav.search")} />
            </>
          ) : (
            <Empty>{t("search.noResults", { q })}</Empty>
          )
        ) : null}
      </div>
    </div>
  );
}
