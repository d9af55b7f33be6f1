import type { Maturity } from "../../api/client";
import type { Translate } from "../../i18n";

export const MATURITIES: readonly Maturity[] = ["all", "7+", "13+", "16+", "18+"];

export function maturityLabel(m: Maturity, t: Translate): string {
  return m === "all" ? t("common.maturity.all") : m;
}
