// A sortable table: header buttons sort by a column (again: reverse), announced by aria-sort.

import { h } from "./dom.js";

function compare(column, descending) {
  const direction = descending ? -1 : 1;
  return (a, b) => {
    const x = column.value(a);
    const y = column.value(b);
    if (x === y) return 0;
    if (x === null || x === undefined) return 1;
    if (y === null || y === undefined) return -1;
    const order = typeof x === "string" ? x.localeCompare(y) : x - y;
    return order * direction;
  };
}

/**
 * `columns`: `{key, label, value(row), format(value), numeric}`; `sort`: `{key, descending}`,
 * updated in place when the user sorts, so the caller can keep it across data reloads.
 */
export function sortableTable({ label, columns, rows, sort }) {
  const body = h("tbody");
  const headers = new Map();

  function fillBody() {
    const column = columns.find((item) => item.key === sort.key) ?? columns[0];
    const sorted = [...rows].sort(compare(column, sort.descending));
    body.replaceChildren(
      ...sorted.map((row) =>
        h(
          "tr",
          {},
          columns.map((item, index) => {
            const text = item.format ? item.format(item.value(row)) : item.value(row);
            return index === 0
              ? h("th", { scope: "row" }, text)
              : h("td", { class: item.numeric ? "num" : null }, text);
          }),
        ),
      ),
    );
    for (const [key, cell] of headers) {
      cell.setAttribute("aria-sort", key === sort.key ? (sort.descending ? "descending" : "ascending") : "none");
    }
  }

  const head = h(
    "tr",
    {},
    columns.map((column) => {
      const cell = h(
        "th",
        { scope: "col", class: column.numeric ? "num" : null },
        h(
          "button",
          {
            type: "button",
            class: "sort",
            onclick: () => {
              sort.descending = sort.key === column.key ? !sort.descending : Boolean(column.numeric);
              sort.key = column.key;
              fillBody();
            },
          },
          column.label,
          h("span", { class: "sort-mark", "aria-hidden": "true" }),
        ),
      );
      headers.set(column.key, cell);
      return cell;
    }),
  );
  fillBody();
  return h(
    "div",
    { class: "table-scroll", tabindex: 0, role: "region", "aria-label": label },
    h("table", {}, h("caption", { class: "visually-hidden" }, `${label}; select a column header to sort`), h("thead", {}, head), body),
  );
}
