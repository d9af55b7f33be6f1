import type { TitleCard as TitleCardData } from "../../api/client";
import { TitleCard } from "./TitleCard";

export function TitleGrid({ titles, label }: { titles: readonly TitleCardData[]; label: string }) {
  return (
    <ul className="grid" aria-label={label}>
      {titles.map((title) => (
        <li key={title.id}>
          <TitleCard title={title} />
        </li>
      ))}
    </ul>
  );
}
