// A searchable multi-select inside a <details> disclosure: a search box and a list of
// checkboxes, the selected ones first. Escape or a click elsewhere closes it.

import { fmt, h } from "./dom.js";

const SHOWN = 100; // options listed at once; the search narrows the rest

export function createPicker(details, { onToggle }) {
  const summary = details.querySelector("summary");
  const count = details.querySelector(".count");
  const search = details.querySelector("input[type=search]");
  const list = details.querySelector(".picker-list");
  let items = []; // {id, label, videos}
  let selected = new Set();

  function option(id, label, videos) {
    return h(
      "li",
      {},
      h(
        "label",
        {},
        h("input", { type: "checkbox", value: id, checked: selected.has(id) }),
        h("span", { class: "option-label" }, label),
        videos === undefined ? null : h("span", { class: "muted" }, fmt.int(videos)),
      ),
    );
  }

  function draw() {
    if (!details.open) return;
    const query = search.value.trim().toLowerCase();
    const known = new Map(items.map((item) => [item.id, item]));
    const chosen = [...selected].map((id) => known.get(id) ?? { id, label: id });
    const matching = items.filter(
      (item) => !selected.has(item.id) && (!query || item.label.toLowerCase().includes(query) || item.id.toLowerCase().includes(query)),
    );
    const rows = [...chosen, ...matching.slice(0, SHOWN)].map((item) => option(item.id, item.label, item.videos));
    if (matching.length > SHOWN) {
      rows.push(h("li", { class: "muted" }, `${fmt.int(matching.length - SHOWN)} more: type to narrow the list`));
    } else if (!rows.length) {
      rows.push(h("li", { class: "muted" }, items.length ? "No match." : "Loading…"));
    }
    list.replaceChildren(...rows);
  }

  function close() {
    details.open = false;
    summary.focus();
  }

  details.addEventListener("toggle", () => {
    draw();
    if (details.open) search.focus();
  });
  search.addEventListener("input", draw);
  list.addEventListener("change", (event) => onToggle(event.target.value, event.target.checked));
  details.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && details.open) {
      event.preventDefault();
      close();
    }
  });
  document.addEventListener("click", (event) => {
    if (details.open && !details.contains(event.target)) details.open = false;
  });

  return {
    setItems(next) {
      items = next;
      draw();
    },
    /** Show the selection; the list is rebuilt only on open or search, so focus stays put. */
    setSelected(ids) {
      selected = new Set(ids);
      count.textContent = selected.size ? String(selected.size) : "";
      for (const box of list.querySelectorAll("input[type=checkbox]")) box.checked = selected.has(box.value);
    },
  };
}
