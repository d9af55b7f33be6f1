// The date range (presets or two days) and the filters the analytics pages take. The
// filters' options are the values found in the range's rollups (plans, browsers, rungs
// and titles that were played), never a fixed list.
import type { DimensionsPublic } from "../../api/analytics";
import { useI18n } from "../../i18n";
import { withChosen, type Option } from "./options";
import type { Preset } from "./range";

export interface FilterState {
  preset: Preset;
  from: string;
  to: string;
  browser: string;
  plan: string;
  rung: string;
  title: string;
}

type DimensionKey = "title" | "plan" | "browser" | "rung";

/** ``dimensions`` false: the date range only (pages whose figures have no title, plan,
 *  browser or quality). ``options`` undefined while they load. */
export function FilterBar({
  value,
  options,
  onChange,
  dimensions = true,
}: {
  value: FilterState;
  options: DimensionsPublic | undefined;
  onChange: (next: FilterState) => void;
  dimensions?: boolean;
}) {
  const { t } = useI18n();
  const set = (patch: Partial<FilterState>) => onChange({ ...value, ...patch });
  const select = (id: DimensionKey, label: string, found: readonly Option[] | undefined) => (
    <label className="analytics__field">
      <span>{label}</span>
      <select data-testid={`filter-${id}`} value={value[id]} onChange={(e) => set({ [id]: e.target.value })}>
        <option value="">{t("analytics.all")}</option>
        {withChosen(found, value[id]).map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <form className="analytics__filters" aria-label={t("analytics.filters")} onSubmit={(e) => e.preventDefault()}>
      <label className="analytics__field">
        <span>{t("analytics.range")}</span>
        <select data-testid="filter-preset" value={value.preset} onChange={(e) => set({ preset: e.target.value as Preset })}>
          {(["today", "7d", "30d", "custom"] as const).map((p) => (
            <option key={p} value={p}>
              {t(`analytics.preset.${p}`)}
            </option>
          ))}
        </select>
      </label>
      {value.preset === "custom" ? (
        <>
          <label className="analytics__field">
            <span>{t("analytics.from")}</span>
            <input type="date" data-testid="filter-from" value={value.from} max={value.to} onChange={(e) => e.target.value && set({ from: e.target.value })} />
          </label>
          <label className="analytics__field">
            <span>{t("analytics.to")}</span>
            <input type="date" data-testid="filter-to" value={value.to} min={value.from} onChange={(e) => e.target.value && set({ to: e.target.value })} />
          </label>
        </>
      ) : null}
      {dimensions ? (
        <>
          {select("title", t("analytics.by.title"), options?.titles)}
          {select("browser", t("analytics.browser"), options?.browsers)}
          {select("plan", t("analytics.plan"), options?.plans)}
          {select("rung", t("analytics.rung"), options?.rungs)}
        </>
      ) : (
        <p className="analytics__note" data-testid="filters-range-only">
          {t("analytics.rangeOnly")}
        </p>
      )}
    </form>
  );
}
