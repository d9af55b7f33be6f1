// Whether this browser's viewer has picked a profile (the app asks before any title
// plays). Kept apart from useAuth, which owns it, so that the watch page's boot script
// can read it without loading React.

/** localStorage, not sessionStorage: a title opened in a new tab must not ask again. */
export const PROFILE_CHOSEN_KEY = "kinema.profileChosen";

/** Whether a profile was picked here (false when storage cannot be read). */
export function profileChosen(): boolean {
  try {
    return window.localStorage.getItem(PROFILE_CHOSEN_KEY) === "1";
  } catch {
    return false;
  }
}
