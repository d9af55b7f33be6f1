// English messages of the personal home rows and "More like this" (spread into en.ts).
export const discoveryEn = {
  "discovery.topPicks": "Top picks for {name}",
  "discovery.because": "Because you watched {title}",
  "discovery.moreLikeThis": "More like this",
  "discovery.loading": "Finding titles for you…",
  "discovery.emptyPicks": "Watch, rate or add a few titles to My List and your picks appear here.",
  "discovery.emptySimilar": "Nothing quite like this yet.",
  "discovery.reason.shared": "Also {article} {terms}",
  "discovery.reason.story": "A similar story",
  "discovery.reason.viewers": "Viewers who watched it also watched this",
} as const;
