// The freshness badge: how old the shown results are (from the envelopes' `computed_at`),
// and whether they are stale: an envelope says so, or the user's data has moved past them
// (GET /status polled every few seconds and when the page regains focus).

import { fmt } from "./dom.js";

export function createFreshness({ badge, age, refresh, client, pollSeconds }) {
  let shown = null; // {version, computedAt, stale} of the drawn envelopes
  let status = null;

  function set(state, text) {
    if (badge.dataset.fresh !== state) badge.dataset.fresh = state;
    if (badge.textContent !== text) badge.textContent = text;
  }

  function update() {
    if (!shown) return;
    const newer = status !== null && status.data_version > shown.version;
    if (shown.stale || newer) {
      set("stale", newer ? "Stale: new data, refresh to see it" : "Stale: results are being refreshed");
    } else if (status?.pending_changes > 0) {
      set("fresh", "Up to date (pre-computing in the background)");
    } else {
      set("fresh", "Up to date");
    }
    refresh.classList.toggle("attention", badge.dataset.fresh === "stale");
  }

  function tick() {
    if (!shown) return;
    const text = `updated ${fmt.age((Date.now() - shown.computedAt) / 1000)} ago`;
    if (age.textContent !== text) age.textContent = text;
  }

  async function check() {
    if (document.hidden || !shown) return;
    try {
      status = await client.getStatus();
      update();
    } catch {
      // The next poll tries again; the panels report failures of their own requests.
    }
  }

  setInterval(tick, 1000);
  setInterval(check, pollSeconds * 1000);
  window.addEventListener("focus", check);
  document.addEventListener("visibilitychange", check);

  return {
    /** The envelopes now on screen (`{type: envelope}`). */
    shown(types) {
      const envelopes = Object.values(types);
      const oldest = Math.min(...envelopes.map((item) => Date.parse(item.computed_at)));
      shown = {
        version: Math.min(...envelopes.map((item) => item.data_version)),
        computedAt: oldest,
        stale: envelopes.some((item) => item.stale),
      };
      age.dateTime = new Date(oldest).toISOString();
      tick();
      update();
      if (status === null) check();
    },
  };
}
