// The dashboard page: sign-in with a token (Jupyter style), the URL as the filter state,
// one dashboard request per filter change (none when the bundle was prefetched), the
// panels, the freshness badge.

import { currentLocale } from "./dom.js";
import { createFilterBar } from "./filterbar.js";
import { createFreshness } from "./freshness.js";
import { createPanels } from "./panels.js";
import { createPrefetcher } from "./prefetch.js";
import { DEFAULT_POLL_SECONDS, readState, writeState } from "./state.js";
import { attachTips } from "./tips.js";
import { createClient, toQuery } from "./watchcube-client.js";

const TOKEN_KEY = "watchcube.token";
const USER_KEY = "watchcube.user"; // the token's user id, so a reload skips /v1/me
// Page address -> the dashboard request it made, so that the inline script in index.html
// can start that request again on a reload while the modules load.
const REQUESTS_KEY = "watchcube.requests";
const REQUESTS_KEPT = 20;
const OPTION_TYPES = ["monthly_trend", "top_channels", "topics_leaderboard"];
const PREPARED_BUNDLES = 8; // of the prefetched ones, the likeliest are also drawn ahead
// How this page draws (panel widths, locale, time zone), for the server: it draws the first
// panels of the page's next load the same way (watchcube/api/prerender.py).
const LAYOUT_COOKIE = "watchcube_layout";
const byId = (id) => document.getElementById(id);
let rememberedLayout = null;

function rememberLayout(widths) {
  if (Object.keys(widths).length !== document.querySelectorAll("[data-panel]").length) return;
  const value = encodeURIComponent(JSON.stringify({ widths, ...currentLocale() }));
  if (value === rememberedLayout) return;
  rememberedLayout = value;
  const secure = location.protocol === "https:" ? "; secure" : "";
  document.cookie = `${LAYOUT_COOKIE}=${value}; path=/; max-age=31536000; samesite=strict${secure}`;
}

/** The key the inline script in index.html looks a page's request up by (same code there). */
function pageKey(search) {
  const params = new URLSearchParams(search);
  params.delete("token");
  return params.toString();
}

/** Remember `url` as the dashboard request of the pages at `keys`. */
function remember(keys, url) {
  try {
    const known = JSON.parse(sessionStorage.getItem(REQUESTS_KEY) ?? "{}");
    for (const key of keys) {
      delete known[key];
      known[key] = url; // the newest last; the oldest go first
    }
    const kept = Object.entries(known).slice(-REQUESTS_KEPT);
    sessionStorage.setItem(REQUESTS_KEY, JSON.stringify(Object.fromEntries(kept)));
  } catch {
    // Storage full or disabled: reloads just start their request a little later.
  }
}

/** A new token: its user and requests are not known yet. */
function forgetUser() {
  sessionStorage.removeItem(USER_KEY);
  sessionStorage.removeItem(REQUESTS_KEY);
}

/** The token from `?token=` (then kept in sessionStorage and removed from the URL). */
function takeToken() {
  const url = new URL(location.href);
  const given = url.searchParams.get("token");
  if (given) {
    if (given !== sessionStorage.getItem(TOKEN_KEY)) forgetUser();
    sessionStorage.setItem(TOKEN_KEY, given);
    history.replaceState(null, "", url.pathname + writeState(readState(url.search)) + url.hash);
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

function showLogin(message) {
  byId("dashboard").hidden = true;
  byId("login").hidden = false;
  byId("login-message").textContent = message;
  byId("login-token").focus();
}

function describe(error) {
  if (error.code === "network_error") return "Cannot reach the watchcube service. Is it running? Then try again.";
  return error.status ? `${error.message} (${error.code}, HTTP ${error.status})` : String(error.message ?? error);
}

/** The choices the filter bar offers, from all-time results. */
function optionsOf(types) {
  const months = types.monthly_trend.data.months;
  const first = months.length ? Number(months[0].month.slice(0, 4)) : 0;
  const last = months.length ? Number(months.at(-1).month.slice(0, 4)) : -1;
  return {
    years: Array.from({ length: last - first + 1 }, (_, i) => first + i),
    channels: types.top_channels.data.channels.map((row) => ({
      id: row.channel_id,
      label: row.channel_name ?? row.channel_id,
      videos: row.videos,
    })),
    topics: types.topics_leaderboard.data.topics.map((row) => ({ id: row.topic, label: row.topic, videos: row.videos })),
  };
}

/**
 * The first bundle the server put in the page (for the page's own filters, when its request
 * carried the sign-in cookie), if it belongs to this tab's token's user (index.html's inline
 * script has read the token: html[data-foreign] when not) and to `filters`; else null.
 */
function firstBundle(filters) {
  const element = byId("watchcube-first-bundle");
  if (!element || "foreign" in document.documentElement.dataset) return null;
  try {
    const first = JSON.parse(element.textContent);
    // The server read the address's filters as written; the page must read them alike.
    return first.query === toQuery(filters) ? first : null;
  } catch {
    return null;
  }
}

function start(token, firstKey) {
  performance.mark("watchcube:start"); // the modules are loaded and run
  let state = readState(location.search);
  const first = state.mode === "live" ? null : firstBundle(state.filters);
  const client = createClient({
    token,
    mode: state.mode,
    user: first?.user ?? sessionStorage.getItem(USER_KEY) ?? undefined,
    started: globalThis.watchcubeStarted, // the inline script's request, if it made one
  });
  if (first && client.adoptDashboard(state.filters, first.bundle, { etag: first.etag })) {
    sessionStorage.setItem(USER_KEY, first.user);
    performance.mark("watchcube:response"); // the bundle is in hand (it came with the page)
  }
  client.me().then(({ user_id: user }) => sessionStorage.setItem(USER_KEY, user), () => {});
  const alert = byId("alert");
  const panels = createPanels(byId("panels"), { onRetry: () => load({ fresh: true }), onDrawn: rememberLayout });
  attachTips(byId("panels"));
  const bar = createFilterBar(byId("filters"), { onChange: navigate });
  const prefetcher = createPrefetcher({
    client,
    onBundle: (bundle, index) => {
      if (index < PREPARED_BUNDLES) panels.prepare(bundle.types);
    },
  });
  let generation = 0; // of load() calls: an answer to an older one is dropped
  let inflight = null; // the AbortController of the dashboard request being waited for
  let optionsShown = false;
  const freshness = createFreshness({
    badge: byId("freshness"),
    age: byId("age"),
    refresh: byId("refresh"),
    client,
    pollSeconds: state.poll ?? DEFAULT_POLL_SECONDS,
  });
  byId("mode").hidden = state.mode !== "live";

  function failed(error) {
    if (error.name === "AbortError") return true;
    if (error.status === 401) {
      sessionStorage.removeItem(TOKEN_KEY);
      forgetUser();
      showLogin(`Sign in again: ${error.message}`);
      return true;
    }
    return false;
  }

  function show(types) {
    alert.hidden = true;
    panels.render(types);
    delete document.documentElement.dataset.foreign; // this tab's own panels now (index.html)
    freshness.shown(types);
    // For benchmarks and devtools: when the dashboard was last ready.
    performance.mark("watchcube:ready");
    document.dispatchEvent(new CustomEvent("watchcube:ready"));
    if (optionsShown) prefetcher.schedule(bar.nearby());
  }

  /** Draw the dashboard for `state`: from memory when prefetched (unless `fresh`), else asked. */
  async function load({ fresh = false, keys = [] } = {}) {
    const mine = ++generation;
    inflight?.abort(new DOMException("superseded", "AbortError"));
    inflight = null;
    const page = [...keys, pageKey(location.search)];
    client.dashboardUrl(state.filters).then((url) => remember(page, url), () => {});
    const kept = fresh ? undefined : client.cachedDashboard(state.filters);
    if (kept) {
      show(kept.types);
      return;
    }
    prefetcher.stop(); // the request the user waits for goes first
    panels.loading();
    const controller = new AbortController();
    inflight = controller;
    try {
      const { types } = await client.getDashboard(state.filters, { signal: controller.signal });
      if (mine !== generation) return;
      performance.mark("watchcube:response"); // the bundle is in hand (devtools, benchmarks)
      show(types);
    } catch (error) {
      if (mine !== generation || failed(error)) return;
      alert.textContent = describe(error);
      alert.hidden = false;
      panels.fail(describe(error));
    } finally {
      if (inflight === controller) inflight = null;
    }
  }

  async function loadOptions() {
    try {
      const { types } = await client.getDashboard({ limit: 1000 }, { types: OPTION_TYPES, supersede: false });
      bar.setOptions(optionsOf(types));
      optionsShown = true;
      prefetcher.schedule(bar.nearby());
    } catch (error) {
      // Without options the pickers stay empty; the panels show what went wrong.
      failed(error);
    }
  }

  function navigate(filters) {
    state = { ...state, filters };
    history.pushState(null, "", location.pathname + writeState(state));
    bar.show(filters);
    load();
  }

  window.addEventListener("popstate", () => {
    state = readState(location.search);
    bar.show(state.filters);
    load();
  });
  byId("refresh").addEventListener("click", () => {
    load({ fresh: true });
    loadOptions();
  });
  bar.show(state.filters);
  // The panels first; the pickers' options (a bigger, rarer request) right after.
  load({ keys: [firstKey] }).then(loadOptions);
}

byId("login-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const token = byId("login-token").value.trim();
  if (!token) return;
  sessionStorage.setItem(TOKEN_KEY, token);
  forgetUser();
  // Through the address, so that the server also remembers it for the page (a cookie).
  const url = new URL(location.href);
  url.searchParams.set("token", token);
  location.assign(url);
});

const firstKey = pageKey(location.search); // before takeToken rewrites the address
const token = takeToken();
if (token) start(token, firstKey);
else showLogin("Open the link `watchcube demo` printed (it carries ?token=…), or paste a token from `watchcube token --user ID`.");
