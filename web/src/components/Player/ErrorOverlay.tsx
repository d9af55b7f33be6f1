// The overlay shown when playback stops: a Shaka error (with its code and Retry), or the
// end of access, which says why in words and offers the one thing that helps (sign in
// again, reload, try again, or go back).
import type { ReactNode } from "react";
import { Icon } from "../Icons/Icons";
import { useI18n } from "../../i18n";
import type { MessageKey } from "../../i18n/en";
import type { PlayerError } from "./hooks/types";
import type { AccessProblem } from "./streamToken";

const ACCESS_MESSAGES = {
  signedOut: "player.access.signedOut",
  unavailable: "player.access.unavailable",
  reprocessed: "player.access.reprocessed",
  tooManyStreams: "player.access.tooManyStreams",
  network: "player.access.network",
} as const satisfies Record<AccessProblem, MessageKey>;

/** Why playback stopped, and the one thing to do about it. */
export function ErrorOverlay({
  error,
  onRetry,
  canReload,
  backHref,
  streamLimit,
}: {
  error: PlayerError;
  onRetry: () => void;
  canReload: boolean;
  backHref?: string;
  /** The stream limit's own view (which devices to stop), in place of the one line. */
  streamLimit?: (retry: () => void) => ReactNode;
}) {
  const { t } = useI18n();
  const access = error.access;
  if (access === "tooManyStreams" && streamLimit && canReload) {
    return (
      <div className="player__error" role="alert" data-access={access}>
        {streamLimit(onRetry)}
      </div>
    );
  }
  let action: ReactNode = (
    <button type="button" className="btn btn--primary" onClick={onRetry}>
      {access === "reprocessed" ? t("player.reload") : t("player.retry")}
    </button>
  );
  if (access === "signedOut") {
    // A full page load, so the app forgets the ended session and shows the sign-in form.
    const next = encodeURIComponent(window.location.pathname + window.location.search);
    action = (
      <a className="btn btn--primary" href={`/login?next=${next}`}>
        {t("player.signIn")}
      </a>
    );
  } else if (access === "unavailable" || (access && !canReload)) {
    action = backHref ? (
      <a className="btn btn--primary" href={backHref}>
        {t("player.back")}
      </a>
    ) : null;
  }
  return (
    <div className="player__error" role="alert" data-access={access}>
      <Icon name="error" size={40} />
      <p>{access ? t(ACCESS_MESSAGES[access]) : t("player.error")}</p>
      {access ? null : <p className="player__error-code">{t("player.errorCode", { code: error.code })}</p>}
      {action}
    </div>
  );
}
