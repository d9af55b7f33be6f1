// A home-page row: a heading and a horizontally scrolling list of cards, with
// scroll buttons for pointer users (keyboard users tab through the links).
import { useId, useRef } from "react";
import type { ReactNode } from "react";
import { Link } from "react-router-dom";
import { Icon } from "../Icons/Icons";
import { useI18n } from "../../i18n";

export function Row({ name, children, testId, href }: { name: string; children: ReactNode; testId?: string; href?: string }) {
  const { t } = useI18n();
  const id = useId();
  const listRef = useRef<HTMLUListElement | null>(null);
  const scroll = (dir: number) => {
    const list = listRef.current;
    if (list) list.scrollBy({ left: dir * list.clientWidth * 0.85, behavior: "smooth" });
  };
  return (
    <section className="row" aria-labelledby={id} data-testid={testId}>
      <h2 id={id} className="row__title">
        {href ? <Link to={href}>{name}</Link> : name}
      </h2>
      <div className="row__viewport">
        <button type="button" className="row__scroll row__scroll--left" aria-label={t("row.scrollLeft", { name })} onClick={() => scroll(-1)}>
          <Icon name="chevronLeft" size={36} />
        </button>
        <ul className="row__list" ref={listRef}>
          {children}
        </ul>
        <button type="button" className="row__scroll row__scroll--right" aria-label={t("row.scrollRight", { name })} onClick={() => scroll(1)}>
          <Icon name="chevronRight" size={36} />
        </button>
      </div>
    </section>
  );
}
