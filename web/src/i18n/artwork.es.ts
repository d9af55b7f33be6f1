// Spanish messages of the admin's artwork A/B tests (spread into es.ts).
import type { artworkEn } from "./artwork.en";

export const artworkEs: Record<keyof typeof artworkEn, string> = {
  "artwork.title": "Pruebas de carátulas",
  "artwork.intro": "Carátulas elegidas por perfil con muestreo de Thompson; al terminar una prueba, la ganadora pasa a ser la carátula por defecto.",
  "artwork.loading": "Cargando pruebas de carátulas…",
  "artwork.empty": "Aún no hay pruebas de carátulas.",
  "artwork.titleLabel": "Título",
  "artwork.pickTitle": "Elige un título",
  "artwork.start": "Empezar prueba",
  "artwork.running": "En curso",
  "artwork.ended": "Terminada",
  "artwork.variant": "Variante",
  "artwork.source.default": "Carátula actual",
  "artwork.source.candidate": "Carátula candidata",
  "artwork.impressions": "Impresiones",
  "artwork.takes": "Reproducciones",
  "artwork.takeRate": "Tasa de reproducción",
  "artwork.interval": "Intervalo del 95 %",
  "artwork.pBest": "P(mejor)",
  "artwork.endBest": "Terminar: quedarse con la mejor",
  "artwork.choose": "Usar por defecto",
  "artwork.chooseThis": "Terminar la prueba de {title} con la variante {n} por defecto",
  "artwork.winner": "Ganadora",
  "artwork.leader": "En cabeza",
  "artwork.confirmEnd": "¿Terminar la prueba de {title}? La variante elegida será su carátula para todos.",
};
