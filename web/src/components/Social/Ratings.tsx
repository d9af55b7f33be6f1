// Ratings: a five-star picker, and a title's average with the distribution of 1–5.
import type { RatingSummaryPublic } from "../../api/client";
import { useI18n } from "../../i18n";
import { distribution, formatAverage } from "./social";

export function StarPicker({
  value,
  onPick,
  disabled,
  label,
}: {
  value: number | null;
  onPick: (score: number) => void;
  disabled?: boolean;
  label: string;
}) {
  const { t } = useI18n();
  return (
    <div className="stars" role="group" aria-label={label}>
      {[1, 2, 3, 4, 5].map((n) => (
        <button
          key={n}
          type="button"
          className={`stars__star${value !== null && n <= value ? " stars__star--on" : ""}`}
          aria-label={n === 1 ? t("ratings.oneStar") : t("ratings.stars", { n })}
          aria-pressed={value === n}
          disabled={disabled}
          onClick={() => onPick(n)}
        >
          ★
        </button>
      ))}
    </div>
  );
}

/** Read-only stars for a review's score. */
export function StarsShown({ score }: { score: number }) {
  const { t } = useI18n();
  return (
    <span className="stars stars--shown" role="img" aria-label={score === 1 ? t("ratings.oneStar") : t("ratings.stars", { n: score })}>
      {"★".repeat(score)}
      <span className="stars__rest">{"★".repeat(Math.max(0, 5 - score))}</span>
    </span>
  );
}

export function RatingSummaryView({ summary }: { summary: RatingSummaryPublic }) {
  const { t, lang } = useI18n();
  const average = formatAverage(summary.average, lang);
  return (
    <div className="rating-summary" data-testid="rating-summary">
      <p className="rating-summary__average">
        {average !== null ? (
          <>
            <span className="rating-summary__number" data-testid="rating-average">
              {average}
            </span>{" "}
            <span className="visually-hidden">{t("ratings.average", { avg: average })}</span>
            <span className="rating-summary__count" data-testid="rating-count">
              {summary.count === 1 ? t("ratings.one") : t("ratings.count", { n: summary.count })}
            </span>
          </>
        ) : (
          <span className="rating-summary__count">{t("ratings.none")}</span>
        )}
      </p>
      <ul className="rating-summary__bars" aria-label={t("ratings.distribution")}>
        {distribution(summary).map((share) => (
          <li key={share.score} className="rating-summary__row" data-score={share.score} data-count={share.count}>
            <span className="rating-summary__label">{share.score}★</span>
            <span className="rating-summary__bar" aria-hidden="true">
              <span style={{ width: `${share.percent}%` }} />
            </span>
            <span className="rating-summary__share">{share.count}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
