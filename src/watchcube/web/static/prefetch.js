// Prefetching: once the panels are drawn, fetch in the background the dashboard bundles of
// the filters a user is likely to pick next (the period chips on screen), one at a time and
// at low priority, so that a click draws them from memory with no request. Bounded, and
// skipped on a slow or data-saving connection; a new schedule aborts the running one.

const LIMIT = 30; // bundles fetched per schedule, at most
const SLOW = new Set(["slow-2g", "2g"]);

/** Whether the connection invites fetching ahead (the Network Information API, if any). */
export function prefetchAllowed(connection = globalThis.navigator?.connection) {
  return !connection || (!connection.saveData && !SLOW.has(connection.effectiveType));
}

/** After the page has drawn and gone idle (a timeout where requestIdleCallback is missing). */
function whenIdle(signal) {
  return new Promise((resolve) => {
    const idle = typeof requestIdleCallback === "function";
    const handle = idle ? requestIdleCallback(() => resolve(), { timeout: 500 }) : setTimeout(resolve, 50);
    signal.addEventListener(
      "abort",
      () => {
        if (idle) cancelIdleCallback(handle);
        else clearTimeout(handle);
        resolve();
      },
      { once: true },
    );
  });
}

/**
 * @param {object} options
 * @param {ReturnType<import("./watchcube-client.js").createClient>} options.client
 * @param {number} [options.limit] bundles per schedule
 * @param {() => boolean} [options.allowed] asked at each schedule (default: the connection)
 */
export function createPrefetcher({ client, limit = LIMIT, allowed = prefetchAllowed }) {
  let running = null; // the AbortController of the current run

  function stop() {
    running?.abort(new DOMException("prefetch superseded", "AbortError"));
    running = null;
  }

  /** Fetch the bundles of `candidates` (filters objects, likeliest first) not yet in memory. */
  async function schedule(candidates) {
    stop();
    if (client.mode === "live" || !allowed()) return 0;
    const controller = new AbortController();
    running = controller;
    const { signal } = controller;
    let fetched = 0;
    try {
      await whenIdle(signal);
      for (const filters of candidates.slice(0, limit)) {
        if (signal.aborted || (typeof document !== "undefined" && document.hidden)) break;
        if (client.cachedDashboard(filters)) continue;
        await client.prefetchDashboard(filters, { signal });
        fetched += 1;
      }
    } catch {
      // Aborted, or a failure: prefetching is only ever a head start.
    } finally {
      if (running === controller) running = null;
    }
    return fetched;
  }

  return { schedule, stop };
}
