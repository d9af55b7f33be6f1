import { describe, expect, it } from "vitest";
import { en } from "../../i18n/en";
import { es } from "../../i18n/es";
import { appendUnique, dropEntry, reportCountKey, without } from "./moderation";

const id = (item: { id: string }) => item.id;

describe("moderation list updates", () => {
  it("removes the entry acted on and keeps the order", () => {
    const list = [{ id: "a" }, { id: "b" }, { id: "c" }];
    expect(without(list, "b", id)).toEqual([{ id: "a" }, { id: "c" }]);
    expect(without(list, "x", id)).toEqual(list);
  });

  it("drops an entry from a page and moves the next page back by one", () => {
    const page = { items: [{ id: "a" }, { id: "b" }], total: 5, next_offset: 2 };
    expect(dropEntry(page, "a", id)).toEqual({ items: [{ id: "b" }], total: 4, next_offset: 1 });
    expect(dropEntry(page, "x", id)).toBe(page);
    expect(dropEntry({ ...page, next_offset: null }, "b", id).next_offset).toBeNull();
    expect(dropEntry(undefined, "a", id)).toEqual({ items: [], total: 0, next_offset: null });
  });

  it("appends a page without repeating what shifted into it", () => {
    expect(appendUnique([{ id: "a" }, { id: "b" }], [{ id: "b" }, { id: "c" }], id)).toEqual([
      { id: "a" },
      { id: "b" },
      { id: "c" },
    ]);
  });

  it("says one report or n reports in both languages", () => {
    expect(reportCountKey(1)).toBe("moderation.reportCountOne");
    expect(reportCountKey(3)).toBe("moderation.reportCount");
    expect(en[reportCountKey(3)]).toContain("{count}");
    expect(es[reportCountKey(1)]).toBe("1 denuncia");
  });
});
