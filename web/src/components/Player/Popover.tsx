// A control-bar button that opens a panel of radio groups (speed, quality, audio,
// subtitles). Native radios give arrow-key selection and labels for free; the panel
// closes on Escape (focus returns to the button) and on a click outside.
import { useEffect, useId, useRef, useState } from "react";
import type { ReactNode } from "react";

interface PopoverProps {
  label: string;
  icon: ReactNode;
  children: ReactNode;
  onOpenChange?: (open: boolean) => void;
}

export function Popover({ label, icon, children, onOpenChange }: PopoverProps) {
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const rootRef = useRef<HTMLDivElement | null>(null);
  const buttonRef = useRef<HTMLButtonElement | null>(null);

  useEffect(() => {
    onOpenChange?.(open);
    if (!open) return;
    const panel = rootRef.current?.querySelector<HTMLElement>(".popover__panel");
    const first =
      panel?.querySelector<HTMLInputElement>("input:checked") ??
      panel?.querySelector<HTMLElement>("input, button");
    first?.focus();
    const onDown = (event: PointerEvent) => {
      if (rootRef.current && !rootRef.current.contains(event.target as Node)) setOpen(false);
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape") {
        event.stopPropagation();
        setOpen(false);
        buttonRef.current?.focus();
      }
    };
    document.addEventListener("pointerdown", onDown);
    document.addEventListener("keydown", onKey, true);
    return () => {
      document.removeEventListener("pointerdown", onDown);
      document.removeEventListener("keydown", onKey, true);
    };
  }, [open, onOpenChange]);

  return (
    <div className="popover" ref={rootRef}>
      <button
        ref={buttonRef}
        type="button"
        className="player__button"
        aria-label={label}
        title={label}
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen((v) => !v)}
      >
        {icon}
      </button>
      <div id={panelId} className="popover__panel" role="dialog" aria-label={label} hidden={!open}>
        {open ? children : null}
      </div>
    </div>
  );
}

interface RadioGroupProps<T extends string | number> {
  legend: string;
  name: string;
  value: T;
  options: ReadonlyArray<{ value: T; label: string }>;
  onChange: (value: T) => void;
}

export function RadioGroup<T extends string | number>({ legend, name, value, options, onChange }: RadioGroupProps<T>) {
  const id = useId();
  return (
    <fieldset className="radio-group">
      <legend>{legend}</legend>
      {options.map((option) => (
        <label key={String(option.value)} className="radio-group__option">
          <input
            type="radio"
            name={`${name}-${id}`}
            checked={option.value === value}
            onChange={() => onChange(option.value)}
          />
          <span>{option.label}</span>
        </label>
      ))}
    </fieldset>
  );
}
