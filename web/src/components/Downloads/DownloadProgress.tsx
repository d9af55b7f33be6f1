// A download on its way: the bar (which keeps its place across a pause), and its
// controls: Pause while it runs (where this browser can keep what arrived), Resume when
// paused, Cancel in both.
import { useI18n } from "../../i18n";
import type { RunPhase } from "./useDownloadRun";

interface Props {
  id: string;
  name: string;
  phase: Extract<RunPhase, { kind: "downloading" | "paused" }>;
  onPause: () => void;
  onResume: () => void;
  onCancel: () => void;
}

export function DownloadProgress({ id, name, phase, onPause, onResume, onCancel }: Props) {
  const { t } = useI18n();
  const percent = Math.round(phase.fraction * 100);
  const paused = phase.kind === "paused";
  return (
    <div className="download__progress" data-testid="download-run" data-state={phase.kind}>
      <label className="download__label" htmlFor={`dl-${id}`}>
        {paused ? t("downloads.pausedName", { name, n: percent }) : `${t("downloads.progress", { name })} · ${t("downloads.percent", { n: percent })}`}
      </label>
      <progress id={`dl-${id}`} max={1} value={phase.fraction} data-testid="download-progress" />
      {paused ? (
        <button type="button" className="btn btn--primary" data-testid="download-resume" onClick={onResume}>
          {t("downloads.resume")}
        </button>
      ) : phase.pausable ? (
        <button type="button" className="btn btn--secondary" data-testid="download-pause" onClick={onPause}>
          {t("downloads.pause")}
        </button>
      ) : null}
      <button type="button" className="btn btn--secondary" data-testid="download-cancel" onClick={onCancel}>
        {t("downloads.cancel")}
      </button>
      {paused && phase.note ? (
        <p className="download__message download__message--error" role="alert">
          {phase.note}
        </p>
      ) : null}
    </div>
  );
}
