// The filter bar: period (all time, a year, a quarter, a custom range), channel and topic
// pickers, product and ads. It shows the filters it is given and reports the user's changes.

import { h } from "./dom.js";
import { createPicker } from "./picker.js";
import { withoutPeriod } from "./state.js";

function pressed(button, on) {
  button.setAttribute("aria-pressed", String(on));
}

function chip(label, value, onClick) {
  return h("button", { type: "button", class: "chip", "data-value": value, "aria-pressed": "false", onclick: onClick }, label);
}

/** Toggles `id` in the list filter `name`; the list is left out when it ends up empty. */
function toggled(filters, name, id, on) {
  const values = new Set(filters[name] ?? []);
  if (on) values.add(id);
  else values.delete(id);
  const next = { ...filters };
  if (values.size) next[name] = [...values];
  else delete next[name];
  return next;
}

export function createFilterBar(root, { onChange }) {
  const years = root.querySelector("#years");
  const quarters = root.querySelector("#quarters");
  const range = root.querySelector("#range");
  const rangeForm = range.querySelector("form");
  const [start, end] = [rangeForm.elements.start, rangeForm.elements.end];
  const product = root.querySelector("#product");
  const ads = root.querySelector("#ads");
  let filters = {};
  // The years of the chips the server drew (web.py's _period_chips), known until the options
  // come; they are drawn again at once, alike, with their listeners. Not in a tab the page's
  // first bundle is not for (index.html sets html[data-foreign]): those are another user's.
  let knownYears =
    "foreign" in document.documentElement.dataset
      ? []
      : [...years.querySelectorAll("[data-value]")].map((button) => Number(button.dataset.value)).filter(Boolean);
  let drawnYears = null;

  const channels = createPicker(root.querySelector("#channel-picker"), {
    onToggle: (id, on) => onChange(toggled(filters, "channels", id, on)),
  });
  const topics = createPicker(root.querySelector("#topic-picker"), {
    onToggle: (id, on) => onChange(toggled(filters, "topics", id, on)),
  });

  // What each period chip picks, from the filters shown now.
  const allTimeOf = () => withoutPeriod(filters);
  const yearOf = (year) => ({ ...withoutPeriod(filters), year });
  const quarterOf = (quarter) => ({ ...withoutPeriod(filters), year: filters.year, ...(quarter ? { quarter } : {}) });

  const allTime = chip("All time", "", () => onChange(allTimeOf()));
  quarters.replaceChildren(
    chip("Whole year", "", () => onChange(quarterOf(null))),
    ...[1, 2, 3, 4].map((q) => chip(`Q${q}`, String(q), () => onChange(quarterOf(q)))),
  );
  quarters.dataset.own = ""; // the page's own chips now (dashboard.css shows them in any tab)

  function shownYears() {
    return [...new Set([...knownYears, ...(filters.year ? [filters.year] : [])])].sort();
  }

  /** Year chips, rebuilt only when the years change (so a pressed chip keeps focus). */
  function drawYears() {
    const shown = shownYears();
    if (shown.join() === drawnYears) return;
    drawnYears = shown.join();
    years.replaceChildren(allTime, ...shown.map((year) => chip(String(year), String(year), () => onChange(yearOf(year)))));
    years.dataset.own = "";
  }

  rangeForm.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!start.value && !end.value) return;
    const next = withoutPeriod(filters);
    if (start.value) next.start = start.value;
    if (end.value) next.end = end.value;
    range.open = false;
    onChange(next);
  });
  start.addEventListener("change", () => {
    end.min = start.value;
  });
  product.addEventListener("change", () => {
    const next = { ...filters };
    if (product.value) next.products = [product.value];
    else delete next.products;
    onChange(next);
  });
  ads.addEventListener("change", () => {
    const next = { ...filters };
    if (ads.checked) next.include_ads = true;
    else delete next.include_ads;
    onChange(next);
  });
  root.querySelector("#reset").addEventListener("click", () => onChange({}));

  function markPeriod() {
    drawYears();
    const period = filters.year ?? (filters.start || filters.end ? null : "");
    for (const button of years.children) pressed(button, button.dataset.value === String(period));
  }

  return {
    /** Reflect `next` in every control. */
    show(next) {
      filters = next;
      markPeriod();
      quarters.hidden = !next.year;
      const quarter = next.year && !next.month ? String(next.quarter ?? "") : null;
      for (const button of quarters.children) pressed(button, button.dataset.value === quarter);
      start.value = next.start ?? "";
      end.value = next.end ?? "";
      const custom = Boolean(next.start || next.end);
      range.querySelector(".range-label").textContent = custom
        ? `${next.start ?? "…"} – ${next.end ?? "…"}`
        : next.month ? `${next.year}-${String(next.month).padStart(2, "0")}` : "Custom range";
      range.classList.toggle("active", custom || Boolean(next.month));
      const products = next.products ?? [];
      product.value = products.length === 1 ? products[0] : "";
      ads.checked = Boolean(next.include_ads);
      channels.setSelected(next.channels ?? []);
      topics.setSelected(next.topics ?? []);
    },
    /**
     * The filters the period chips on screen would pick, likeliest first: the selected
     * year's quarters (and the whole year), all time, then the years, latest first.
     */
    nearby() {
      const picks = filters.year ? [quarterOf(null), ...[1, 2, 3, 4].map(quarterOf)] : [];
      picks.push(allTimeOf(), ...shownYears().reverse().map(yearOf));
      return picks;
    },
    /** The choices the data offers: its years, channels and topics (all time). */
    setOptions(options) {
      knownYears = options.years;
      markPeriod();
      channels.setItems(options.channels);
      topics.setItems(options.topics);
    },
  };
}
