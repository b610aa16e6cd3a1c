// Prefetching: once the panels are drawn, fetch in the background the dashboard bundles of
// the filters a user is likely to pick next (the period chips on screen), one at a time and
// at low priority, so that a click draws them from memory with no request. Bounded, and
// skipped on a slow or data-saving connection; a new schedule aborts the running one.
// `onBundle` hears of each bundle in memory (fetched or already there), to draw it ahead.

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
 * @param {(bundle: object, index: number) => void} [options.onBundle] told of each candidate's
 *   bundle once it is in memory, with the candidate's index
 */
export function createPrefetcher({ client, limit = LIMIT, allowed = prefetchAllowed, onBundle = () => {} }) {
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
      for (const [index, filters] of candidates.slice(0, limit).entries()) {
        if (signal.aborted || (typeof document !== "undefined" && document.hidden)) break;
        let bundle = client.cachedDashboard(filters);
        if (!bundle) {
          bundle = await client.prefetchDashboard(filters, { signal });
          fetched += 1;
        }
        if (bundle && !signal.aborted) onBundle(bundle, index);
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
