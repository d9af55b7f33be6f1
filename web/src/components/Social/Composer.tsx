// Writing a comment, reply or review's text, and reporting a comment. The text goes to
// the API as typed (it trims and checks it too); nothing here turns it into markup.
import { useId, useState } from "react";
import type { FormEvent, ReactNode } from "react";
import { ApiError, errorMessage } from "../../api/client";
import type { ReportReason } from "../../api/client";
import { useI18n } from "../../i18n";
import type { Translate } from "../../i18n";
import { acceptableText } from "./social";

export function postError(error: unknown, t: Translate): string {
  if (error instanceof ApiError && error.status === 429) return t("social.tooFast");
  return errorMessage(error);
}

interface ComposerProps {
  label: string;
  max: number;
  initial?: string;
  submitLabel?: string;
  /** Extra fields beside the button (the "at 12:31" pin). */
  extra?: ReactNode;
  /** Whether the form may be sent besides the text (a review's score). */
  ready?: boolean;
  onSubmit: (text: string) => Promise<void>;
  onCancel?: () => void;
  testId?: string;
}

export function Composer({ label, max, initial = "", submitLabel, extra, ready = true, onSubmit, onCancel, testId }: ComposerProps) {
  const { t } = useI18n();
  const id = useId();
  const [text, setText] = useState(initial);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const over = text.trim().length - max;
  const ok = acceptableText(text, max) && ready;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!ok || busy) return;
    setBusy(true);
    setError(null);
    try {
      await onSubmit(text.trim());
      setText("");
    } catch (err) {
      setError(postError(err, t));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="composer" onSubmit={(e) => void submit(e)} data-testid={testId}>
      <label className="visually-hidden" htmlFor={id}>
        {label}
      </label>
      <textarea id={id} className="composer__text" placeholder={label} value={text} rows={2} onChange={(e) => setText(e.currentTarget.value)} />
      <div className="composer__row">
        {extra}
        {over > 0 ? <span className="composer__over">{t("social.tooLong", { n: over })}</span> : null}
        <span className="composer__spacer" />
        {onCancel ? (
          <button type="button" className="btn btn--small" onClick={onCancel}>
            {t("social.cancel")}
          </button>
        ) : null}
        <button type="submit" className="btn btn--primary btn--small" disabled={!ok || busy}>
          {busy ? t("social.posting") : (submitLabel ?? t("social.post"))}
        </button>
      </div>
      {error ? (
        <p className="composer__error" role="alert">
          {error}
        </p>
      ) : null}
    </form>
  );
}

const REASONS: readonly ReportReason[] = ["spam", "abuse", "spoiler", "other"];

export function ReportForm({ onSend, onCancel }: { onSend: (reason: ReportReason, note: string) => Promise<void>; onCancel: () => void }) {
  const { t } = useI18n();
  const [reason, setReason] = useState<ReportReason>("spam");
  const [note, setNote] = useState("");
  const [state, setState] = useState<"idle" | "busy" | "done">("idle");
  const [error, setError] = useState<string | null>(null);
  if (state === "done") return <p className="comment__notice" role="status">{t("social.reported")}</p>;
  const send = async (event: FormEvent) => {
    event.preventDefault();
    setState("busy");
    setError(null);
    try {
      await onSend(reason, note.trim());
      setState("done");
    } catch (err) {
      setState("idle");
      setError(err instanceof ApiError && err.status === 409 ? t("social.alreadyReported") : postError(err, t));
    }
  };
  return (
    <form className="report-form" onSubmit={(e) => void send(e)}>
      <label>
        {t("social.reportReason")}{" "}
        <select value={reason} onChange={(e) => setReason(e.currentTarget.value as ReportReason)}>
          {REASONS.map((r) => (
            <option key={r} value={r}>
              {t(`social.reason.${r}`)}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span className="visually-hidden">{t("social.reportNote")}</span>
        <input type="text" maxLength={500} placeholder={t("social.reportNote")} value={note} onChange={(e) => setNote(e.currentTarget.value)} />
      </label>
      <button type="submit" className="btn btn--small" disabled={state === "busy"}>
        {t("social.reportSend")}
      </button>
      <button type="button" className="btn btn--small" onClick={onCancel}>
        {t("social.cancel")}
      </button>
      {error ? (
        <p className="composer__error" role="alert">
          {error}
        </p>
      ) : null}
    </form>
  );
}
