// What viewers say about a title, on its page: the ratings (average, distribution and
// the profile's own stars), reviews and comments. Kids profiles see the ratings only.
import { useState } from "react";
import { errorMessage } from "../../api/client";
import { rateTitle, ratingSummary } from "../../api/social";
import type { RatingSummaryPublic } from "../../api/client";
import { useApi } from "../../hooks/useApi";
import type { ApiState } from "../../hooks/useApi";
import { useI18n } from "../../i18n";
import { Comments } from "./Comments";
import { RatingSummaryView, StarPicker } from "./Ratings";
import { Reviews } from "./Reviews";
import "./social.css";

/** The average and distribution, and the profile's stars (rating reloads `summary`). */
export function RatingPanel({ titleId, summary }: { titleId: string; summary: ApiState<RatingSummaryPublic> }) {
  const { t } = useI18n();
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const rate = (score: number) => {
    setError(null);
    rateTitle(titleId, score).then(
      () => {
        setSaved(true);
        summary.reload();
      },
      (err: unknown) => setError(errorMessage(err)),
    );
  };
  return (
    <div className="rating-panel">
      {summary.data ? <RatingSummaryView summary={summary.data} /> : null}
      <div className="rating-panel__mine">
        <span>{t("ratings.yours")}</span>
        <StarPicker value={summary.data?.mine ?? null} onPick={rate} label={t("ratings.rate")} />
        {saved ? <span role="status">{t("ratings.saved")}</span> : null}
      </div>
      {error ? (
        <p className="composer__error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

export function TitleSocial({ titleId }: { titleId: string }) {
  const { t } = useI18n();
  // A review sets the rating too: saving one reloads the summary.
  const summary = useApi(() => ratingSummary(titleId), [titleId]);
  return (
    <div className="title-social">
      <section className="ratings" aria-labelledby="ratings-heading" data-testid="ratings">
        <h2 id="ratings-heading">{t("ratings.title")}</h2>
        <RatingPanel titleId={titleId} summary={summary} />
      </section>
      <Reviews key={`r-${titleId}`} titleId={titleId} rating={summary.data?.mine ?? null} onSaved={summary.reload} />
      <Comments key={`c-${titleId}`} target={{ kind: "title", id: titleId }} />
    </div>
  );
}
