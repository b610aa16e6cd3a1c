// The dashboard's state lives in the URL: filters in the API's own query-string form (so a
// link is shareable and the back button works), plus two page options, `mode` and `poll`.

import { FILTER_NAMES, toQuery } from "./watchcube-client.js";

const LISTS = new Set(["channels", "topics", "products"]);
const NUMBERS = new Set(["year", "quarter", "month", "limit"]);
export const DEFAULT_POLL_SECONDS = 5;

/** `{filters, mode, poll}` from a query string such as `location.search`. */
export function readState(search) {
  const params = new URLSearchParams(search);
  const filters = {};
  for (const name of FILTER_NAMES) {
    const values = params.getAll(name);
    if (!values.length) continue;
    if (LISTS.has(name)) {
      const items = [...new Set(values.flatMap((value) => value.split(",")).map((v) => v.trim()).filter(Boolean))];
      if (items.length) filters[name] = items;
    } else if (name === "include_ads") {
      if (values.at(-1) === "true") filters.include_ads = true;
    } else if (values.at(-1) !== "") {
      filters[name] = NUMBERS.has(name) && /^\d+$/.test(values.at(-1)) ? Number(values.at(-1)) : values.at(-1);
    }
  }
  const poll = Number(params.get("poll"));
  return {
    filters,
    mode: params.get("mode") === "live" ? "live" : "precomputed",
    poll: Number.isFinite(poll) && poll > 0 ? poll : null,
  };
}

/** The query string (with "?", or "" for the defaults) that `readState` reads back. */
export function writeState({ filters, mode, poll }) {
  const parts = [toQuery(filters), mode === "live" ? "mode=live" : "", poll ? `poll=${poll}` : ""];
  const text = parts.filter(Boolean).join("&");
  return text ? `?${text}` : "";
}

/** Filters without any period (year, quarter, month, start, end). */
export function withoutPeriod(filters) {
  const { year, quarter, month, start, end, ...rest } = filters;
  return rest;
}
