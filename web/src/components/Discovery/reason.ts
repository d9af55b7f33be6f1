// The reason line under a recommended title, worded per language from the API's reason
// kind and shared terms ("Also a heist comedy" / "También: heist, comedia"). A top pick's
// "why" note (written by Claude when the server has a key) comes in the language asked for.
import type { RecommendationReason } from "../../api/client";
import type { Language, Translate } from "../../i18n";

export function reasonText(reason: RecommendationReason | null | undefined, t: Translate, lang: Language): string | null {
  if (!reason) return null;
  if (reason.kind === "why") return reason.text;
  if (reason.kind === "shared" && reason.terms.length > 0) {
    const picked = reason.terms.slice(0, 2).map((term) => term.toLowerCase());
    if (lang === "en") {
      const terms = picked.join(" ");
      return t("discovery.reason.shared", { article: /^[aeiou]/.test(terms) ? "an" : "a", terms });
    }
    return t("discovery.reason.shared", { article: "", terms: picked.join(", ") });
  }
  if (reason.kind === "viewers") return t("discovery.reason.viewers");
  return t("discovery.reason.story");
}
