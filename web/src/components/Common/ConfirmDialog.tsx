// A confirmation for what cannot be undone lightly (delete a profile, sign a device out,
// downgrade): a native modal <dialog>, so focus is trapped inside, Escape cancels and the
// page behind is inert, with no focus-management code of our own.
import { useEffect, useId, useRef, useState } from "react";
import type { ReactNode } from "react";
import { errorMessage } from "../../api/client";

interface Props {
  title: string;
  children?: ReactNode;
  confirmLabel: string;
  cancelLabel: string;
  /** The action; the dialog stays open, showing the error, when it fails. */
  onConfirm: () => Promise<void> | void;
  onClose: () => void;
  danger?: boolean;
}

export function ConfirmDialog({ title, children, confirmLabel, cancelLabel, onConfirm, onClose, danger = false }: Props) {
  const ref = useRef<HTMLDialogElement | null>(null);
  const titleId = useId();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);

  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
      onClose();
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };

  return (
    <dialog
      ref={ref}
      className="confirm"
      aria-labelledby={titleId}
      onCancel={(e) => {
        // Escape: close through React state, so the parent unmounts us.
        e.preventDefault();
        if (!busy) onClose();
      }}
    >
      <h2 id={titleId} className="confirm__title">
        {title}
      </h2>
      {children ? <div className="confirm__body">{children}</div> : null}
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="form-actions">
        <button type="button" className={`btn ${danger ? "btn--danger" : "btn--primary"}`} disabled={busy} onClick={() => void confirm()}>
          {confirmLabel}
        </button>
        <button type="button" className="btn" disabled={busy} onClick={onClose} autoFocus>
          {cancelLabel}
        </button>
      </div>
    </dialog>
  );
}
