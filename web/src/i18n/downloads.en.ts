// English messages of offline downloads added with pause/resume, per-plan limits and the
// app-wide online check's notice
// (spread into en.ts; the older downloads.* keys live there).
export const downloadsEn = {
  "downloads.pause": "Pause",
  "downloads.resume": "Resume",
  "downloads.pausedName": "{name} · Paused at {n}%",
  "downloads.paused": "Paused at {n}%",
  "downloads.planLimit": "Yes, {n} at once",
  "downloads.subtitles": "Subtitles",
  "downloads.subtitlesOff": "Off",
  "downloads.noticeHeading": "Downloads removed from this device",
  "downloads.noticeDismiss": "Dismiss",
};
