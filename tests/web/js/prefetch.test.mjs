// The prefetcher against a fake client: which bundles it fetches, in what order, how many,
// and when it does not. Run with `node --test tests/web/js/`.

import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { createPrefetcher, prefetchAllowed } from "../../../src/watchcube/web/static/prefetch.js";

/** A client whose memory holds `kept` (years) and whose prefetches may hang until aborted. */
function fakeClient({ mode = "precomputed", kept = [], hang = false } = {}) {
  const memory = new Set(kept);
  const asked = [];
  return {
    mode,
    asked,
    cachedDashboard: (filters) => (memory.has(filters.year) ? { types: { year: filters.year } } : undefined),
    prefetchDashboard: (filters, { signal }) => {
      asked.push(filters.year);
      if (hang) {
        return new Promise((_resolve, reject) => signal.addEventListener("abort", () => reject(signal.reason), { once: true }));
      }
      memory.add(filters.year);
      return Promise.resolve({ types: { year: filters.year } });
    },
  };
}

const years = (...list) => list.map((year) => ({ year }));

describe("createPrefetcher", () => {
  it("fetches the candidates not in memory, one after another, in order, up to the limit", async () => {
    const client = fakeClient({ kept: [2024] });
    const told = [];
    const prefetcher = createPrefetcher({ client, limit: 3, allowed: () => true, onBundle: (bundle, index) => told.push([bundle.types.year, index]) });
    assert.equal(await prefetcher.schedule(years(2025, 2024, 2023, 2022)), 2);
    assert.deepEqual(client.asked, [2025, 2023]);
    assert.deepEqual(told, [[2025, 0], [2024, 1], [2023, 2]]);
  });

  it("stops the running schedule when a new one starts", async () => {
    const client = fakeClient({ hang: true });
    const prefetcher = createPrefetcher({ client, allowed: () => true });
    const first = prefetcher.schedule(years(2025, 2024));
    await new Promise((resolve) => setTimeout(resolve, 80)); // past the idle wait: 2025 is in flight
    assert.deepEqual(client.asked, [2025]);
    const second = prefetcher.schedule(years(2023));
    assert.equal(await first, 0);
    await new Promise((resolve) => setTimeout(resolve, 80));
    assert.deepEqual(client.asked, [2025, 2023]);
    prefetcher.stop();
    assert.equal(await second, 0);
  });

  it("fetches nothing in live mode or on a connection that asks to save data", async () => {
    const live = fakeClient({ mode: "live" });
    assert.equal(await createPrefetcher({ client: live, allowed: () => true }).schedule(years(2025)), 0);
    const saving = fakeClient();
    assert.equal(await createPrefetcher({ client: saving, allowed: () => false }).schedule(years(2025)), 0);
    assert.deepEqual([...live.asked, ...saving.asked], []);
  });

  it("reads the connection's hints", () => {
    assert.equal(prefetchAllowed(undefined), true);
    assert.equal(prefetchAllowed({ effectiveType: "4g", saveData: false }), true);
    assert.equal(prefetchAllowed({ effectiveType: "4g", saveData: true }), false);
    assert.equal(prefetchAllowed({ effectiveType: "2g" }), false);
  });
});
