// watchcube-client.js: the browser (and node) client of the watchcube HTTP API.
//
// A plain ES module with no dependencies, usable from any framework:
//
//   import { createClient } from "/static/watchcube-client.js";
//   const client = createClient({ token });
//   const { types } = await client.getDashboard({ year: 2024, channels: ["UC..."] });
//
// It keeps an ETag cache (a repeated request revalidates with If-None-Match and reuses the
// cached body on 304), aborts a superseded dashboard request when filters change quickly,
// and turns the API's `{"error": {"code", "message"}}` bodies into `WatchcubeError`s.

/** The ten aggregation types, in dashboard order. */
export const TYPES = Object.freeze([
  "kpi",
  "monthly_trend",
  "top_channels",
  "day_time_heatmap",
  "topics_leaderboard",
  "session_analysis",
  "viewing_patterns",
  "enhanced_channel_metrics",
  "channel_relationships",
  "topic_evolution",
]);

/** Filter names in the order they are written to a query string. */
export const FILTER_NAMES = Object.freeze([
  "year",
  "quarter",
  "month",
  "start",
  "end",
  "channels",
  "topics",
  "products",
  "include_ads",
  "limit",
]);

const LISTS = new Set(["channels", "topics", "products"]);
const MODES = new Set(["precomputed", "live"]);
const CACHE_ENTRIES = 200; // ETag-cached responses kept per client (least recently used go)

/** An error answered by the API (or a network failure, status 0). */
export class WatchcubeError extends Error {
  constructor(status, code, message) {
    super(message);
    this.name = "WatchcubeError";
    this.status = status;
    this.code = code;
  }
}

/**
 * The query string (without "?") for a filters object, exactly as the API expects it:
 * lists comma-joined, `include_ads` only when true, empty values left out.
 * Unknown names throw a TypeError (a typo would otherwise silently widen the filter).
 */
export function toQuery(filters = {}) {
  for (const name of Object.keys(filters)) {
    if (!FILTER_NAMES.includes(name)) {
      throw new TypeError(`unknown filter ${JSON.stringify(name)} (known: ${FILTER_NAMES.join(", ")})`);
    }
  }
  const params = new URLSearchParams();
  for (const name of FILTER_NAMES) {
    const value = filters[name];
    if (value === undefined || value === null || value === "" || value === false) continue;
    if (LISTS.has(name)) {
      const items = (Array.isArray(value) ? value : [value]).map(String).filter(Boolean);
      if (items.length) params.set(name, items.join(","));
    } else {
      params.set(name, String(value));
    }
  }
  // Commas separate list items: leave them readable, as the API documents them.
  return params.toString().replaceAll("%2C", ",");
}

function abortError(reason) {
  return reason instanceof Error ? reason : new DOMException(String(reason ?? "aborted"), "AbortError");
}

/** A controller aborted when `signal` aborts (or at once, when it already has). */
function linkedController(signal) {
  const controller = new AbortController();
  if (signal) {
    if (signal.aborted) controller.abort(signal.reason);
    else signal.addEventListener("abort", () => controller.abort(signal.reason), { once: true });
  }
  return controller;
}

async function errorFrom(response) {
  let code = "http_error";
  let message = response.statusText || `HTTP ${response.status}`;
  try {
    const body = await response.json();
    if (body && body.error) {
      code = body.error.code ?? code;
      message = body.error.message ?? message;
    }
  } catch {
    // Not a JSON error body (a proxy's HTML page, say): keep the status text.
  }
  return new WatchcubeError(response.status, code, message);
}

/**
 * A client for one token.
 *
 * @param {object} options
 * @param {string} [options.baseUrl] the service's origin ("" = the page's own origin)
 * @param {string} options.token a bearer JWT
 * @param {"precomputed"|"live"} [options.mode] live bypasses the pre-computed layers
 * @param {string} [options.user] the user to read (default: the token's own, from /v1/me)
 * @param {typeof fetch} [options.fetch] the fetch to use (tests pass a mock)
 */
export function createClient({ baseUrl = "", token, mode = "precomputed", user, fetch } = {}) {
  if (!MODES.has(mode)) throw new TypeError(`mode must be "precomputed" or "live", not ${JSON.stringify(mode)}`);
  const fetchImpl = fetch ?? globalThis.fetch.bind(globalThis);
  const root = baseUrl.replace(/\/+$/, "");
  const cache = new Map(); // url -> {etag, body}, in least-recently-used order
  let identity = user ? Promise.resolve({ user_id: user, admin: false }) : null;
  let current = null; // the AbortController of the dashboard request that supersedes others

  async function get(path, { signal, revalidate = true } = {}) {
    const url = root + path;
    const headers = { Accept: "application/json" };
    if (token) headers.Authorization = `Bearer ${token}`;
    const cached = revalidate ? cache.get(url) : undefined;
    if (cached) headers["If-None-Match"] = cached.etag;
    let response;
    try {
      response = await fetchImpl(url, { headers, signal });
    } catch (error) {
      if (signal?.aborted || error?.name === "AbortError") throw abortError(signal?.reason ?? error);
      throw new WatchcubeError(0, "network_error", `cannot reach ${url}: ${error?.message ?? error}`);
    }
    if (response.status === 304 && cached) {
      cache.delete(url);
      cache.set(url, cached);
      return cached.body;
    }
    if (!response.ok) throw await errorFrom(response);
    const body = await response.json();
    const etag = response.headers.get("ETag");
    if (revalidate && etag) {
      cache.delete(url);
      cache.set(url, { etag, body });
      if (cache.size > CACHE_ENTRIES) cache.delete(cache.keys().next().value);
    }
    return body;
  }

  function withMode(query) {
    const text = mode === "live" ? [query, "mode=live"].filter(Boolean).join("&") : query;
    return text ? `?${text}` : "";
  }

  async function userPath() {
    const { user_id: id } = await me();
    return `/v1/users/${encodeURIComponent(id)}`;
  }

  /** `{user_id, admin}` of the token (asked once, then remembered). */
  function me() {
    if (!identity) {
      identity = get("/v1/me", { revalidate: false });
      identity.catch(() => {
        identity = null; // a failed lookup is retried by the next call
      });
    }
    return identity;
  }

  /** One aggregation's envelope. */
  async function getAggregation(type, filters = {}, { signal } = {}) {
    if (!TYPES.includes(type)) throw new TypeError(`unknown aggregation type ${JSON.stringify(type)}`);
    const query = withMode(toQuery(filters));
    return get(`${await userPath()}/aggregations/${type}${query}`, { signal });
  }

  /**
   * `{types: {type: envelope}}` for one filter, in one request.
   * A call aborts the previous call's request if that one is still in flight (the user
   * changed filters again); `supersede: false` makes a call that neither aborts nor is
   * aborted (a side request, say).
   */
  async function getDashboard(filters = {}, { types, signal, supersede = true } = {}) {
    const controller = linkedController(signal);
    if (supersede) {
      current?.abort(new DOMException("superseded by a newer dashboard request", "AbortError"));
      current = controller;
    }
    try {
      const query = withMode([toQuery(filters), types ? `types=${types.join(",")}` : ""].filter(Boolean).join("&"));
      const path = `${await userPath()}/dashboard${query}`;
      if (controller.signal.aborted) throw abortError(controller.signal.reason);
      return await get(path, { signal: controller.signal });
    } finally {
      if (current === controller) current = null;
    }
  }

  /** `{data_version, records, pending_changes, ...}`: how fresh the user's results are. */
  async function getStatus({ signal } = {}) {
    return get(`${await userPath()}/status`, { signal, revalidate: false });
  }

  return Object.freeze({ mode, getAggregation, getDashboard, getStatus, me });
}
