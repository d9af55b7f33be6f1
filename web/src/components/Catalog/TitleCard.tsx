// A title in a row or grid: a real link to its page, so it opens in a new tab and reads
// as a link to assistive tech. Without a poster, a generated gradient with the name.
// Its poster URL is the same for everyone; while an artwork test runs the API answers it
// with this profile's variant, and the card reports its impression (docs/artwork.md).
import { useRef } from "react";
import { Link } from "react-router-dom";
import type { TitleCard as TitleCardData } from "../../api/client";
import { useAuth } from "../../hooks/useAuth";
import { useI18n } from "../../i18n";
import { useImpression } from "../Artwork/useImpression";

function hue(text: string): number {
  let h = 0;
  for (const ch of text) h = (h * 31 + ch.charCodeAt(0)) % 360;
  return h;
}

export function TitleCard({
  title,
  progress,
  subtitle,
  href,
}: {
  title: TitleCardData;
  /** 0..1 watched, for Continue Watching. */
  progress?: number | null;
  subtitle?: string | null;
  href?: string;
}) {
  const { t } = useI18n();
  const { user, isKids } = useAuth();
  const ref = useRef<HTMLAnchorElement>(null);
  useImpression(ref, title.id, Boolean(user && !isKids && title.poster_url));
  const h = hue(title.name);
  const meta = [title.year, title.kind === "series" ? t("title.series") : t("title.movie")]
    .filter(Boolean)
    .join(" · ");
  return (
    <Link ref={ref} to={href ?? `/title/${title.id}`} className="card" data-testid="title-card" data-title-id={title.id}>
      <div
        className="card__art"
        style={{ background: `linear-gradient(135deg, hsl(${h} 55% 28%), hsl(${(h + 60) % 360} 60% 12%))` }}
      >
        {title.poster_url ? <img src={title.poster_url} alt="" loading="lazy" decoding="async" /> : null}
        <span className="card__name" aria-hidden={title.poster_url ? "true" : undefined}>
          {title.name}
        </span>
        {progress != null ? (
          <span className="card__progress" aria-hidden="true">
            <span style={{ width: `${Math.round(Math.min(1, Math.max(0, progress)) * 100)}%` }} />
          </span>
        ) : null}
      </div>
      <span className="card__caption">
        <span className="card__title">{title.name}</span>
        <span className="card__meta" title={subtitle ?? undefined}>{subtitle ?? meta}</span>
      </span>
    </Link>
  );
}
