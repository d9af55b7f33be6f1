// Reactions on a comment: the counts (most used first), each a toggle of one's own, and
// a picker for the emoji nobody has used yet.
import { useState } from "react";
import type { Emoji, ReactionCount } from "../../api/client";
import { useI18n } from "../../i18n";
import { EMOJI, glyphOf } from "./social";

interface ReactionBarProps {
  reactions: readonly ReactionCount[];
  mine: readonly Emoji[];
  disabled?: boolean;
  onToggle: (emoji: Emoji, on: boolean) => void;
}

export function ReactionBar({ reactions, mine, disabled, onToggle }: ReactionBarProps) {
  const { t } = useI18n();
  const [picking, setPicking] = useState(false);
  const used = new Set(reactions.map((r) => r.emoji));
  return (
    <div className="reactions" role="group" aria-label={t("social.reactions")}>
      {reactions.map((r) => {
        const on = mine.includes(r.emoji);
        return (
          <button
            key={r.emoji}
            type="button"
            className={`reaction${on ? " reaction--mine" : ""}`}
            aria-pressed={on}
            aria-label={`${t(`social.emoji.${r.emoji}`)} ${r.count}`}
            disabled={disabled}
            onClick={() => onToggle(r.emoji, !on)}
          >
            <span aria-hidden="true">{glyphOf(r.emoji)}</span> {r.count}
          </button>
        );
      })}
      {!disabled ? (
        <button type="button" className="reaction reaction--add" aria-expanded={picking} aria-label={t("social.react")} onClick={() => setPicking((p) => !p)}>
          +<span aria-hidden="true">☺</span>
        </button>
      ) : null}
      {picking ? (
        <span className="reaction-picker">
          {EMOJI.filter((e) => !used.has(e.name)).map((e) => (
            <button
              key={e.name}
              type="button"
              className="reaction"
              aria-label={t("social.reactWith", { emoji: t(`social.emoji.${e.name}`) })}
              onClick={() => {
                setPicking(false);
                onToggle(e.name, true);
              }}
            >
              {e.glyph}
            </button>
          ))}
        </span>
      ) : null}
    </div>
  );
}
