// Spanish messages of offline downloads added with pause/resume, per-plan limits and the
// app-wide online check's notice
// (spread into es.ts).
import type { downloadsEn } from "./downloads.en";

export const downloadsEs: Record<keyof typeof downloadsEn, string> = {
  "downloads.pause": "Pausar",
  "downloads.resume": "Reanudar",
  "downloads.pausedName": "{name} · En pausa al {n} %",
  "downloads.paused": "En pausa al {n} %",
  "downloads.planLimit": "Sí, {n} a la vez",
  "downloads.subtitles": "Subtítulos",
  "downloads.subtitlesOff": "Desactivados",
  "downloads.noticeHeading": "Descargas eliminadas de este dispositivo",
  "downloads.noticeDismiss": "Cerrar",
};
