// The stream limit, where playback was refused: which devices hold the account's streams
// (and what they play), and a "Stop playback on <device>" button for each, which frees
// that stream and tries again here.
import { useState } from "react";
import { Link } from "react-router-dom";
import { errorMessage } from "../../api/client";
import type { TooManyStreamsPublic } from "../../api/client";
import { stopPlaybackOn } from "../../api/devices";
import { useI18n } from "../../i18n";
import { holderWords } from "../../lib/streams";

interface Props {
  conflict: TooManyStreamsPublic | null;
  /** Try playback again (after a stream was stopped, or by hand). */
  onRetry: () => void;
}

export function StreamLimit({ conflict, onRetry }: Props) {
  const { t } = useI18n();
  const [stopping, setStopping] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const streams = conflict?.streams ?? [];
  const stop = async (deviceId: string) => {
    setStopping(deviceId);
    setError(null);
    try {
      await stopPlaybackOn(deviceId);
      onRetry();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setStopping(null);
    }
  };
  return (
    <div className="stream-limit" data-testid="stream-limit">
      <p className="stream-limit__title">{t("streams.title")}</p>
      {streams.length > 0 ? (
        <ul className="stream-limit__list">
          {streams.map((s) => {
            const device = s.device_name || t("devices.unnamed");
            return (
              <li key={s.device_id} data-testid="stream-holder">
                <span>{holderWords(s, device, t)}</span>
                <button type="button" className="btn btn--primary btn--small" disabled={stopping !== null} onClick={() => void stop(s.device_id)}>
                  {stopping === s.device_id ? t("streams.stopping") : t("streams.stopOn", { device })}
                </button>
              </li>
            );
          })}
        </ul>
      ) : (
        <p>{t("streams.hint")}</p>
      )}
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="form-actions">
        <button type="button" className="btn" onClick={onRetry} disabled={stopping !== null}>
          {t("player.retry")}
        </button>
        <Link className="btn" to="/devices">
          {t("devices.manage")}
        </Link>
      </div>
    </div>
  );
}
