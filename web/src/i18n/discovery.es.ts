// Spanish messages of the personal home rows and "More like this" (spread into es.ts).
import type { discoveryEn } from "./discovery.en";

export const discoveryEs: Record<keyof typeof discoveryEn, string> = {
  "discovery.topPicks": "Selección para {name}",
  "discovery.because": "Porque viste {title}",
  "discovery.moreLikeThis": "Más como este",
  "discovery.loading": "Buscando títulos para ti…",
  "discovery.emptyPicks": "Mira, valora o añade algunos títulos a Mi lista y aquí aparecerá tu selección.",
  "discovery.emptySimilar": "Todavía no hay nada parecido.",
  // Spanish has no article here: "También: atraco, comedia" ({article} stays unused).
  "discovery.reason.shared": "También{article}: {terms}",
  "discovery.reason.story": "Una historia parecida",
  "discovery.reason.viewers": "Quien lo vio también vio este",
} as const;
