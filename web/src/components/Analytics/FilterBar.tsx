// The date range (presets or two days) and the filters every analytics page takes.
import { useI18n } from "../../i18n";
import type { Preset } from "./range";

export interface FilterState {
  preset: Preset;
  from: string;
  to: string;
  browser: string;
  plan: string;
  rung: string;
}

const BROWSERS = ["chrome", "firefox", "safari", "edge", "opera", "samsung", "other"];
const RUNGS = ["240p", "360p", "480p", "720p", "1080p", "1440p", "2160p", "unknown"];

/** ``dimensions`` false: the date range only (pages whose figures have no browser, plan
 *  or quality). */
export function FilterBar({ value, plans, onChange, dimensions = true }: { value: FilterState; plans: string[]; onChange: (next: FilterState) => void; dimensions?: boolean }) {
  const { t } = useI18n();
  const set = (patch: Partial<FilterState>) => onChange({ ...value, ...patch });
  const select = (id: keyof FilterState, label: string, options: string[]) => (
    <label className="analytics__field">
      <span>{label}</span>
      <select data-testid={`filter-${id}`} value={value[id]} onChange={(e) => set({ [id]: e.target.value })}>
        <option value="">{t("analytics.all")}</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
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
          {select("browser", t("analytics.browser"), BROWSERS)}
          {select("plan", t("analytics.plan"), plans)}
          {select("rung", t("analytics.rung"), RUNGS)}
        </>
      ) : null}
    </form>
  );
}
