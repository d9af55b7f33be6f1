// Pieces the analytics pages share: stat cards, a chart frame that keeps its size at
// phone width, the CSV link, and number formats.
import type { ReactNode } from "react";
import { useI18n } from "../../i18n";

export const CHART_COLORS = ["#e50914", "#4aa3df", "#f5c518", "#46d369", "#b07cff", "#ff8c42"];

export function StatCard({ label, value, sub, testId }: { label: string; value: ReactNode; sub?: ReactNode; testId?: string }) {
  return (
    <div className="stat-card">
      <dt>{label}</dt>
      <dd data-testid={testId}>
        {value}
        {sub ? <span className="stat-card__sub">{sub}</span> : null}
      </dd>
    </div>
  );
}

export function ChartBox({ title, children, actions }: { title: string; children: ReactNode; actions?: ReactNode }) {
  return (
    <section className="panel analytics__chart" aria-label={title}>
      <div className="panel__head">
        <h2>{title}</h2>
        {actions}
      </div>
      <div className="analytics__plot">{children}</div>
    </section>
  );
}

export function CsvLink({ href, table }: { href: string; table: string }) {
  const { t } = useI18n();
  return (
    <a className="btn btn--small" href={href} download aria-label={t("analytics.csvOf", { table })} data-testid={`csv-${table}`}>
      {t("analytics.csv")}
    </a>
  );
}

export function useFormats() {
  const { lang } = useI18n();
  const number = new Intl.NumberFormat(lang, { maximumFractionDigits: 2 });
  const dash = "—";
  return {
    n: (v: number | null | undefined) => (v === null || v === undefined ? dash : number.format(v)),
    pct: (v: number | null | undefined) => (v === null || v === undefined ? dash : `${number.format(v)} %`),
    ms: (v: number | null | undefined) => (v === null || v === undefined ? dash : `${number.format(v)} ms`),
    kbps: (v: number | null | undefined) => (v === null || v === undefined ? dash : `${number.format(v / 1000)} kbps`),
    when: (iso: string, hourly: boolean) =>
      new Intl.DateTimeFormat(lang, hourly ? { hour: "2-digit", day: "numeric", timeZone: "UTC" } : { month: "short", day: "numeric", timeZone: "UTC" }).format(new Date(iso)),
  };
}
