// The JS client against a mocked fetch: query strings, ETag revalidation, cancellation of
// superseded requests, live mode and errors. Run with `node --test tests/web/js/`.

import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  createClient,
  toQuery,
  TYPES,
  WatchcubeError,
} from "../../../src/watchcube/web/static/watchcube-client.js";

const ME = { user_id: "alice", admin: false };

function json(body, { status = 200, headers = {} } = {}) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json", ...headers },
  });
}

/** A fetch that answers /v1/me itself and every other URL with `answer(url, init)`. */
function mockFetch(answer) {
  const calls = [];
  const fetch = async (url, init = {}) => {
    calls.push({ url, headers: init.headers ?? {}, signal: init.signal, init });
    if (url.endsWith("/v1/me")) return json(ME);
    return answer(url, init, calls.length);
  };
  return { fetch, calls, requests: () => calls.filter((call) => !call.url.endsWith("/v1/me")) };
}

/** A fetch that never answers until its request is aborted (a slow server). */
function hangingUntilAborted(url, init) {
  return new Promise((_resolve, reject) => {
    if (init.signal.aborted) reject(init.signal.reason); // as fetch does
    init.signal.addEventListener("abort", () => reject(init.signal.reason), { once: true });
  });
}

describe("toQuery", () => {
  it("writes every filter the way the API reads it", () => {
    assert.equal(
      toQuery({
        limit: 5,
        include_ads: true,
        products: ["youtube_music"],
        topics: ["music", "film & tv"],
        channels: ["UC1", "UC2"],
        year: 2024,
        quarter: 2,
      }),
      "year=2024&quarter=2&channels=UC1,UC2&topics=music,film+%26+tv&products=youtube_music&include_ads=true&limit=5",
    );
    assert.equal(toQuery({ start: "2024-01-05", end: "2024-02-01", month: undefined }), "start=2024-01-05&end=2024-02-01");
  });

  it("leaves defaults and empty values out", () => {
    assert.equal(toQuery({}), "");
    assert.equal(toQuery({ include_ads: false, channels: [], topics: null, year: "" }), "");
    assert.equal(toQuery({ channels: "UC9" }), "channels=UC9");
  });

  it("rejects an unknown filter name", () => {
    assert.throws(() => toQuery({ yaer: 2024 }), TypeError);
  });
});

describe("createClient", () => {
  it("asks /v1/me once and reads the user's aggregations with the bearer token", async () => {
    const mock = mockFetch(() => json({ type: "kpi", data: { total_videos: 3 } }));
    const client = createClient({ baseUrl: "http://svc/", token: "T", fetch: mock.fetch });
    const first = await client.getAggregation("kpi", { year: 2023 });
    await client.getAggregation("top_channels", { limit: 3 });
    assert.equal(first.data.total_videos, 3);
    assert.equal(mock.calls.filter((call) => call.url.endsWith("/v1/me")).length, 1);
    assert.deepEqual(
      mock.requests().map((call) => call.url),
      ["http://svc/v1/users/alice/aggregations/kpi?year=2023", "http://svc/v1/users/alice/aggregations/top_channels?limit=3"],
    );
    assert.equal(mock.calls[0].headers.Authorization, "Bearer T");
    assert.deepEqual(await client.me(), ME);
  });

  it("uses a given user without asking /v1/me", async () => {
    const mock = mockFetch(() => json({}));
    const client = createClient({ token: "T", user: "bob", fetch: mock.fetch });
    await client.getStatus();
    assert.deepEqual(mock.calls.map((call) => call.url), ["/v1/users/bob/status"]);
  });

  it("revalidates with If-None-Match and reuses the cached body on 304", async () => {
    const body = { types: { kpi: { data: { total_videos: 7 } } } };
    const mock = mockFetch((url, init) =>
      init.headers["If-None-Match"] === '"e1"'
        ? new Response(null, { status: 304, headers: { ETag: '"e1"' } })
        : json(body, { headers: { ETag: '"e1"' } }),
    );
    const client = createClient({ token: "T", fetch: mock.fetch });
    const first = await client.getDashboard({ year: 2024 });
    const second = await client.getDashboard({ year: 2024 });
    const other = await client.getDashboard({ year: 2025 });
    assert.deepEqual(first, body);
    assert.equal(second, first);
    assert.deepEqual(other, body);
    const sent = mock.requests().map((call) => call.headers["If-None-Match"]);
    assert.deepEqual(sent, [undefined, '"e1"', undefined]);
  });

  it("never revalidates status (it is always fresh)", async () => {
    const mock = mockFetch(() => json({ data_version: 3 }, { headers: { ETag: '"s"' } }));
    const client = createClient({ token: "T", fetch: mock.fetch });
    await client.getStatus();
    await client.getStatus();
    assert.deepEqual(mock.requests().map((call) => call.headers["If-None-Match"]), [undefined, undefined]);
  });

  it("asks for several types, and passes mode=live in live mode", async () => {
    const mock = mockFetch(() => json({ types: {} }));
    const live = createClient({ token: "T", mode: "live", fetch: mock.fetch });
    await live.getDashboard({ channels: ["UC1"] }, { types: ["kpi", "top_channels"] });
    await live.getAggregation("kpi");
    assert.equal(live.mode, "live");
    assert.deepEqual(mock.requests().map((call) => call.url), [
      "/v1/users/alice/dashboard?channels=UC1&types=kpi,top_channels&mode=live",
      "/v1/users/alice/aggregations/kpi?mode=live",
    ]);
    assert.throws(() => createClient({ token: "T", mode: "fast" }), TypeError);
    await assert.rejects(live.getAggregation("nope"), TypeError);
    assert.equal(TYPES.length, 10);
  });

  it("aborts a superseded dashboard request, but not one made with supersede: false", async () => {
    // Requests 1 and 2 hang until aborted; later ones answer.
    const mock = mockFetch((url, init, count) => (count <= 2 ? hangingUntilAborted(url, init) : json({ types: { n: count } })));
    const client = createClient({ token: "T", user: "alice", fetch: mock.fetch });
    const stop = new AbortController();
    const side = client.getDashboard({ limit: 1000 }, { supersede: false, signal: stop.signal });
    const old = client.getDashboard({ year: 2023 });
    await new Promise((resolve) => setImmediate(resolve)); // both requests are in flight
    const newer = client.getDashboard({ year: 2024 }); // superseded before it is even sent
    const newest = client.getDashboard({ year: 2025 });
    await assert.rejects(old, { name: "AbortError" });
    await assert.rejects(newer, { name: "AbortError" });
    assert.deepEqual(await newest, { types: { n: 3 } });
    assert.equal(mock.calls.length, 3);
    assert.equal(mock.calls[0].signal.aborted, false);
    stop.abort();
    await assert.rejects(side, { name: "AbortError" });
  });

  it("aborts when the caller's signal aborts", async () => {
    const mock = mockFetch(hangingUntilAborted);
    const client = createClient({ token: "T", user: "alice", fetch: mock.fetch });
    const controller = new AbortController();
    const pending = client.getAggregation("kpi", {}, { signal: controller.signal });
    controller.abort();
    await assert.rejects(pending, { name: "AbortError" });
    const early = new AbortController();
    early.abort();
    await assert.rejects(client.getDashboard({}, { signal: early.signal }), { name: "AbortError" });
  });

  it("turns error bodies into WatchcubeError {status, code, message}", async () => {
    const mock = mockFetch((url) =>
      url.includes("year=1900")
        ? json({ error: { code: "invalid_filter", message: "year: must be an integer 1970..2100" } }, { status: 422 })
        : new Response("<html>bad gateway</html>", { status: 502, statusText: "Bad Gateway" }),
    );
    const client = createClient({ token: "T", user: "alice", fetch: mock.fetch });
    await assert.rejects(client.getAggregation("kpi", { year: 1900 }), (error) => {
      assert.ok(error instanceof WatchcubeError);
      assert.deepEqual([error.status, error.code, error.message], [422, "invalid_filter", "year: must be an integer 1970..2100"]);
      return true;
    });
    await assert.rejects(client.getStatus(), { name: "WatchcubeError", status: 502, code: "http_error", message: "Bad Gateway" });
  });

  it("reports an unreachable service as status 0, and retries /v1/me after a failure", async () => {
    let up = false;
    const fetch = async (url) => {
      if (!up) throw new TypeError("fetch failed");
      return url.endsWith("/v1/me") ? json(ME) : json({ data_version: 1 });
    };
    const client = createClient({ token: "T", fetch });
    await assert.rejects(client.getStatus(), { name: "WatchcubeError", status: 0, code: "network_error" });
    up = true;
    assert.deepEqual(await client.getStatus(), { data_version: 1 });
  });
});

describe("prefetching and drawing from memory", () => {
  /** A bundle of two envelopes at `version`, answered with an ETag of its filter. */
  const bundle = (version, { stale = false } = {}) => ({
    types: {
      kpi: { type: "kpi", data_version: version, stale, data: {} },
      monthly_trend: { type: "monthly_trend", data_version: version, stale: false, data: {} },
    },
  });
  const answering = (state) =>
    mockFetch((url, init) => {
      if (url.includes("/status")) return json({ data_version: state.version, pending_changes: 0 });
      const etag = `"${state.version}.${url}"`;
      if (init.headers["If-None-Match"] === etag) return new Response(null, { status: 304, headers: { ETag: etag } });
      return json(bundle(state.version, state), { headers: { ETag: etag } });
    });

  it("answers a prefetched bundle from memory while its data version is the latest", async () => {
    const state = { version: 4 };
    const mock = answering(state);
    const client = createClient({ token: "T", user: "alice", fetch: mock.fetch });
    assert.equal(client.cachedDashboard({ year: 2024 }), undefined);
    const fetched = await client.prefetchDashboard({ year: 2024 });
    assert.deepEqual(client.cachedDashboard({ year: 2024 }), fetched);
    assert.equal(client.cachedDashboard({ year: 2025 }), undefined);
    assert.equal(client.cachedDashboard({ year: 2024 }, { types: ["kpi"] }), undefined);
    assert.equal(mock.requests().length, 1);
    // Prefetches go at low priority; the page's own requests at the default one.
    assert.equal(mock.calls[0].init.priority, "low");
    await client.getDashboard({ year: 2024 });
    assert.equal(mock.calls[1].init.priority, undefined);

    state.version = 5; // new data: a status says so, and the kept bundle is no longer current
    await client.getStatus();
    assert.equal(client.cachedDashboard({ year: 2024 }), undefined);
    await client.prefetchDashboard({ year: 2024 });
    assert.equal(client.cachedDashboard({ year: 2024 }).types.kpi.data_version, 5);
  });

  it("forgets what memory holds once no answer confirmed the version for maxAge", async () => {
    const mock = answering({ version: 1 });
    const client = createClient({ token: "T", user: "alice", fetch: mock.fetch });
    await client.prefetchDashboard({ year: 2024 });
    assert.ok(client.cachedDashboard({ year: 2024 }));
    await new Promise((resolve) => setTimeout(resolve, 15));
    assert.equal(client.cachedDashboard({ year: 2024 }, { maxAge: 10 }), undefined);
    assert.ok(client.cachedDashboard({ year: 2024 }, { maxAge: 60_000 }));
  });

  it("never answers a stale bundle from memory", async () => {
    const mock = answering({ version: 2, stale: true });
    const client = createClient({ token: "T", user: "alice", fetch: mock.fetch });
    await client.prefetchDashboard({ year: 2024 });
    assert.equal(client.cachedDashboard({ year: 2024 }), undefined);
  });

  it("in live mode neither prefetches nor answers from memory", async () => {
    const mock = answering({ version: 1 });
    const client = createClient({ token: "T", user: "alice", mode: "live", fetch: mock.fetch });
    assert.equal(await client.prefetchDashboard({ year: 2024 }), null);
    assert.equal(mock.calls.length, 0);
    await client.getDashboard({ year: 2024 });
    assert.equal(client.cachedDashboard({ year: 2024 }), undefined);
  });

  it("learns the user from /v1/me before answering from memory", async () => {
    const mock = answering({ version: 1 });
    const client = createClient({ token: "T", fetch: mock.fetch });
    assert.equal(client.cachedDashboard({}), undefined);
    await client.prefetchDashboard({});
    assert.ok(client.cachedDashboard({}));
    assert.equal(await client.dashboardUrl({ year: 2024 }, { types: ["kpi"] }), "/v1/users/alice/dashboard?year=2024&types=kpi");
  });

  it("takes over a request the page started early, once, and only a good answer", async () => {
    const mock = answering({ version: 3 });
    const url = "/v1/users/alice/dashboard?year=2024";
    const response = json(bundle(3), { headers: { ETag: '"early"' } });
    const started = new Map([
      [url, Promise.resolve({ response, body: bundle(3) })],
      ["/v1/users/alice/dashboard?year=2025", Promise.resolve({ response: json({ error: {} }, { status: 403 }) })],
      ["/v1/users/alice/dashboard?year=2026", Promise.reject(new TypeError("failed to fetch"))],
    ]);
    const client = createClient({ token: "T", user: "alice", fetch: mock.fetch, started });
    assert.deepEqual(await client.getDashboard({ year: 2024 }), bundle(3));
    assert.equal(mock.requests().length, 0);
    assert.ok(client.cachedDashboard({ year: 2024 }), "the early answer is kept like any other");
    await client.getDashboard({ year: 2024 }); // the second time: a request of its own
    assert.deepEqual(mock.requests().map((call) => call.headers["If-None-Match"]), ['"early"']);
    // A failed or refused early request is simply asked again.
    assert.equal((await client.getDashboard({ year: 2025 })).types.kpi.data_version, 3);
    assert.equal((await client.getDashboard({ year: 2026 })).types.kpi.data_version, 3);
    assert.equal(mock.requests().length, 3);
  });

  it("adopts a bundle the page came with: answered from memory, then revalidated", async () => {
    const mock = answering({ version: 7 });
    const client = createClient({ token: "T", user: "alice", fetch: mock.fetch });
    const etag = '"7./v1/users/alice/dashboard?year=2024"';
    assert.equal(client.adoptDashboard({ year: 2024 }, bundle(7), { etag }), true);
    assert.deepEqual(client.cachedDashboard({ year: 2024 }), bundle(7));
    assert.equal(client.cachedDashboard({ year: 2025 }), undefined);
    assert.equal(mock.requests().length, 0);
    await client.getDashboard({ year: 2024 }, { signal: undefined });
    assert.deepEqual(mock.requests().map((call) => call.headers["If-None-Match"]), [etag]);
    // Nothing is adopted in live mode, before the user is known, or without an ETag.
    const live = createClient({ token: "T", user: "alice", mode: "live", fetch: mock.fetch });
    assert.equal(live.adoptDashboard({}, bundle(7), { etag }), false);
    assert.equal(live.cachedDashboard({}), undefined);
    const unknown = createClient({ token: "T", fetch: mock.fetch });
    assert.equal(unknown.adoptDashboard({}, bundle(7), { etag }), false);
    assert.equal(client.adoptDashboard({ year: 2026 }, bundle(7), {}), false);
    // A stale bundle is kept for revalidation but never drawn from memory.
    assert.equal(client.adoptDashboard({ year: 2023 }, bundle(7, { stale: true }), { etag }), true);
    assert.equal(client.cachedDashboard({ year: 2023 }), undefined);
  });
});
