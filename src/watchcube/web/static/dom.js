// Building DOM and SVG nodes, and formatting numbers, dates and shares for people.

const SVG_NS = "http://www.w3.org/2000/svg";

/** Children, flattened, without the empty ones: what `append` takes. */
function collect(children, into) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) collect(child, into);
    else into.push(child);
  }
  return into;
}

/** A number as an attribute: to 1/100 (of a pixel, in a chart), so the markup stays short
 * (the server writes a drawn page's charts out; 16 digits made them a third longer). */
export const short = (value) => (Number.isInteger(value) ? value : Math.round(value * 100) / 100);

// Charts make thousands of nodes per draw: plain loops, no intermediate arrays.
function fill(node, attrs, children) {
  if (attrs) {
    for (const name in attrs) {
      const value = attrs[name];
      if (value === undefined || value === null || value === false) continue;
      if (name === "text") node.textContent = value;
      else if (name.charCodeAt(0) === 111 && name.charCodeAt(1) === 110) node.addEventListener(name.slice(2), value); // "on…"
      else node.setAttribute(name, value === true ? "" : typeof value === "number" ? short(value) : value);
    }
  }
  if (children.length === 1 && typeof children[0] === "string") node.textContent = children[0];
  else if (children.length) node.append(...collect(children, []));
  return node;
}

/** An HTML element: `h("p", {class: "note"}, "text", child)`; `on<event>` attributes listen. */
export function h(tag, attrs, ...children) {
  return fill(document.createElement(tag), attrs, children);
}

/** An SVG element, like `h`. */
export function s(tag, attrs, ...children) {
  return fill(document.createElementNS(SVG_NS, tag), attrs, children);
}

let integer, decimal, percent, day, monthName;

/**
 * Numbers and dates for people of `locale`, local dates in `timeZone`; both undefined (in a
 * browser): the reader's own. The server draws the page's first panels with the ones the
 * page reported (`web/prerender.js`).
 */
export function setLocale(locale, timeZone) {
  integer = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  decimal = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
  percent = new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 });
  day = new Intl.DateTimeFormat(locale, { year: "numeric", month: "short", day: "numeric", timeZone });
  monthName = new Intl.DateTimeFormat(locale, { year: "numeric", month: "short", timeZone: "UTC" });
}

setLocale();

/** The locale and time zone this browser formats for (what the server should draw with). */
export function currentLocale() {
  const { locale, timeZone } = day.resolvedOptions();
  return { locale, timeZone };
}

export const WEEKDAYS = Object.freeze(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]);

export const fmt = {
  int: (value) => integer.format(value ?? 0),
  num: (value) => decimal.format(value ?? 0),
  pct: (value) => percent.format(value ?? 0),
  /** An ISO instant as a local date, or a dash when there is none. */
  date: (iso) => (iso ? day.format(new Date(iso)) : "–"),
  /** "2024-03" as "Mar 2024". */
  month: (key) => monthName.format(new Date(`${key}-01T00:00:00Z`)),
  hour: (hour) => `${String(hour).padStart(2, "0")}:00`,
  /** Seconds as "4 s", "3 min", "2 h", "5 d". */
  age: (seconds) => {
    if (seconds < 60) return `${Math.max(0, Math.round(seconds))} s`;
    if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
    if (seconds < 86400) return `${Math.round(seconds / 3600)} h`;
    return `${Math.round(seconds / 86400)} d`;
  },
};
