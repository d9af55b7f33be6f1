// Add to / remove from My List, with the state announced through aria-pressed.
import { useState } from "react";
import { api, unwrap } from "../../api/client";
import { Icon } from "../Icons/Icons";
import { useI18n } from "../../i18n";

export function MyListButton({ titleId, name, inList, onChange }: { titleId: string; name: string; inList: boolean; onChange?: (inList: boolean) => void }) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [state, setState] = useState(inList);
  const toggle = async () => {
    setBusy(true);
    try {
      const params = { params: { path: { title_id: titleId } } };
      if (state) await unwrap(api.DELETE("/api/v1/my-list/{title_id}", params));
      else await unwrap(api.PUT("/api/v1/my-list/{title_id}", params));
      setState(!state);
      onChange?.(!state);
    } finally {
      setBusy(false);
    }
  };
  return (
    <button
      type="button"
      className="btn btn--secondary"
      aria-pressed={state}
      aria-label={state ? t("title.removeFromListLabel", { name }) : t("title.addToListLabel", { name })}
      disabled={busy}
      onClick={() => void toggle()}
      data-testid="my-list-toggle"
    >
      <Icon name={state ? "check" : "plus"} size={22} />
      <span>{state ? t("title.inList") : t("title.addToList")}</span>
    </button>
  );
}
