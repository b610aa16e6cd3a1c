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
//
// Pre-computed results can also be drawn with no request at all: `prefetchDashboard` fetches
// the bundle of a filter the user is likely to pick next, and `cachedDashboard` returns a
// kept bundle while it is still current (its data version is the user's latest known one,
// confirmed by a response within `maxAge`). Live mode keeps nothing: it computes per request.

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
const MAX_AGE_MS = 30_000; // how long a confirmed data version lets cachedDashboard answer

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
 * The data version a response reflects: `{version, stale}` from a dashboard bundle (its
 * oldest envelope), an envelope or a status; null for anything else.
 */
function versionOf(body) {
  const envelopes = body?.types ? Object.values(body.types) : [body];
  if (!envelopes.length || !envelopes.every((item) => Number.isInteger(item?.data_version))) return null;
  return {
    version: Math.min(...envelopes.map((item) => item.data_version)),
    stale: envelopes.some((item) => item.stale === true),
  };
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
 * @param {Map<string, Promise<{response: Response, body?: any}>>} [options.started] requests
 *   begun before the client existed, by URL, with their JSON body when already read (the
 *   dashboard page starts its first one from an inline script while its modules load): the
 *   client's first request of such a URL takes that answer instead
 */
export function createClient({ baseUrl = "", token, mode = "precomputed", user, fetch, started } = {}) {
  if (!MODES.has(mode)) throw new TypeError(`mode must be "precomputed" or "live", not ${JSON.stringify(mode)}`);
  const fetchImpl = fetch ?? globalThis.fetch.bind(globalThis);
  const root = baseUrl.replace(/\/+$/, "");
  const cache = new Map(); // url -> {etag, body, seen: its data version}, least recently used first
  const early = new Map(started ?? []);
  let identity = user ? Promise.resolve({ user_id: user, admin: false }) : null;
  let userId = user ?? null; // known at once, for cachedDashboard
  let current = null; // the AbortController of the dashboard request that supersedes others
  const latest = { version: -1, at: -Infinity }; // the user's newest data version, and when confirmed

  /** A response says the user's data is at `version` (if not stale): remember it. */
  function observe(seen) {
    if (!seen || seen.stale || seen.version < latest.version) return;
    latest.version = seen.version;
    latest.at = Date.now();
  }

  /** `{response, body?}` for `url`: what an inline script already started, else a request. */
  async function send(url, init) {
    const begun = early.get(url);
    if (begun) {
      early.delete(url);
      try {
        const answer = await begun;
        if (init.signal?.aborted) throw abortError(init.signal.reason);
        // Only a full, good answer is taken (the early request knew none of our ETags);
        // an error is asked again, to report it the client's own way.
        if (answer.response.ok && !init.headers["If-None-Match"]) return answer;
      } catch {
        if (init.signal?.aborted) throw abortError(init.signal.reason);
        // The early request failed: ask again below.
      }
    }
    return { response: await fetchImpl(url, init) };
  }

  async function get(path, { signal, revalidate = true, priority } = {}) {
    const url = root + path;
    const headers = { Accept: "application/json" };
    if (token) headers.Authorization = `Bearer ${token}`;
    const cached = revalidate ? cache.get(url) : undefined;
    if (cached) headers["If-None-Match"] = cached.etag;
    const init = { headers, signal };
    if (priority) init.priority = priority;
    let response;
    let read; // the body, when whoever made the request already read it
    try {
      ({ response, body: read } = await send(url, init));
    } catch (error) {
      if (signal?.aborted || error?.name === "AbortError") throw abortError(signal?.reason ?? error);
      throw new WatchcubeError(0, "network_error", `cannot reach ${url}: ${error?.message ?? error}`);
    }
    if (response.status === 304 && cached) {
      cache.delete(url);
      cache.set(url, cached);
      observe(cached.seen);
      return cached.body;
    }
    if (!response.ok) throw await errorFrom(response);
    const body = read === undefined ? await response.json() : read;
    const seen = versionOf(body);
    observe(seen);
    const etag = response.headers.get("ETag");
    if (revalidate && etag) {
      cache.delete(url);
      cache.set(url, { etag, body, seen });
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
      identity.then(({ user_id: id }) => {
        userId = id;
      }, () => {
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

  function dashboardQuery(filters, types) {
    return withMode([toQuery(filters), types ? `types=${types.join(",")}` : ""].filter(Boolean).join("&"));
  }

  /** The URL `getDashboard(filters, {types})` requests. */
  async function dashboardUrl(filters = {}, { types } = {}) {
    return `${root}${await userPath()}/dashboard${dashboardQuery(filters, types)}`;
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
      const path = `${await userPath()}/dashboard${dashboardQuery(filters, types)}`;
      if (controller.signal.aborted) throw abortError(controller.signal.reason);
      return await get(path, { signal: controller.signal });
    } finally {
      if (current === controller) current = null;
    }
  }

  /**
   * The bundle `getDashboard(filters, {types})` would answer, from memory and at once, while
   * it is current: its data version is the user's latest known one, which a response (a
   * bundle, an envelope or a status) confirmed within `maxAge` ms, and none of it is stale.
   * Undefined otherwise, before the user is known, and always in live mode.
   */
  function cachedDashboard(filters = {}, { types, maxAge = MAX_AGE_MS } = {}) {
    if (mode === "live" || userId === null) return undefined;
    const entry = cache.get(`${root}/v1/users/${encodeURIComponent(userId)}/dashboard${dashboardQuery(filters, types)}`);
    const seen = entry?.seen;
    if (!seen || seen.stale || seen.version < latest.version || Date.now() - latest.at > maxAge) return undefined;
    return entry.body;
  }

  /**
   * Keep a bundle obtained some other way (the dashboard page carries its first one) as if
   * `getDashboard(filters, {types})` had answered it with `etag`: `cachedDashboard` returns
   * it while current, and a later request revalidates it. False (nothing kept) in live mode
   * or before the user is known.
   */
  function adoptDashboard(filters, body, { etag, types } = {}) {
    if (mode === "live" || userId === null || typeof etag !== "string") return false;
    const url = `${root}/v1/users/${encodeURIComponent(userId)}/dashboard${dashboardQuery(filters, types)}`;
    const seen = versionOf(body);
    observe(seen);
    cache.delete(url);
    cache.set(url, { etag, body, seen });
    if (cache.size > CACHE_ENTRIES) cache.delete(cache.keys().next().value);
    return true;
  }

  /**
   * Fetch a bundle the user is likely to ask for next (at low priority, neither superseding
   * nor superseded), so that `cachedDashboard` has it. Resolves to the bundle, or to null in
   * live mode, which computes on request and so has nothing worth fetching ahead.
   */
  async function prefetchDashboard(filters = {}, { types, signal } = {}) {
    if (mode === "live") return null;
    const path = `${await userPath()}/dashboard${dashboardQuery(filters, types)}`;
    if (signal?.aborted) throw abortError(signal.reason);
    return get(path, { signal, priority: "low" });
  }

  /** `{data_version, records, pending_changes, ...}`: how fresh the user's results are. */
  async function getStatus({ signal } = {}) {
    return get(`${await userPath()}/status`, { signal, revalidate: false });
  }

  return Object.freeze({
    mode,
    getAggregation,
    getDashboard,
    cachedDashboard,
    adoptDashboard,
    prefetchDashboard,
    dashboardUrl,
    getStatus,
    me,
  });
}
