// The ten panels: one renderer per aggregation type (its envelope's `data` -> a node), and
// the loading / ready / error state every panel shows in its `data-state` attribute.

import { columns, hbars, heatmap, network, stackedArea } from "./charts.js";
import { currentLocale, fmt, h, WEEKDAYS } from "./dom.js";
import { sortableTable } from "./table.js";

const PREPARED_PANELS = 100; // panels drawn ahead and kept off-screen (ten bundles' worth)
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const channelSort = { key: "videos", descending: true }; // kept across reloads

function nothing() {
  return h("p", { class: "empty" }, "Nothing watched for these filters.");
}

function figures(pairs) {
  return h(
    "dl",
    { class: "figures" },
    pairs.map(([term, value]) => h("div", {}, h("dt", {}, term), h("dd", {}, value))),
  );
}

/** Under a month axis: month names for a year or less, else the year at each January. */
function monthTicks(months, width) {
  if (months.length <= 12) return (i) => MONTHS[Number(months[i].slice(5, 7)) - 1];
  const years = new Set(months.map((key) => key.slice(0, 4))).size;
  const every = Math.max(1, Math.ceil((years * 40) / Math.max(1, width - 60)));
  return (i) => {
    const month = Number(months[i].slice(5, 7));
    const year = Number(months[i].slice(0, 4));
    // The first, partial year gets a label when it leaves room before the next January's.
    const starts = month === 1 || (i === 0 && month <= 9);
    return starts && year % every === 0 ? String(year) : null;
  };
}

function hourTicks(width) {
  const every = width < 420 ? 6 : 3;
  return (hour) => (hour % every === 0 ? String(hour).padStart(2, "0") : null);
}

const RENDER = {
  kpi(d) {
    return figures([
      ["Videos", fmt.int(d.total_videos)],
      ["Unique videos", fmt.int(d.unique_videos)],
      ["Channels", fmt.int(d.unique_channels)],
      ["Active days", fmt.int(d.active_days)],
      ["Watch time", `${fmt.num(d.est_watch_hours)} h`],
      ["Per active day", fmt.num(d.avg_videos_per_active_day)],
      ["Longest streak", `${fmt.int(d.longest_streak_days)} d`],
      ["Rewatches", fmt.int(d.rewatches)],
      ["First watched", fmt.date(d.first_watched_at)],
      ["Last watched", fmt.date(d.last_watched_at)],
    ]);
  },

  monthly_trend(d, width) {
    if (!d.months.length) return nothing();
    const keys = d.months.map((row) => row.month);
    const peak = d.months.reduce((best, row) => (row.videos > best.videos ? row : best));
    return h(
      "div",
      {},
      columns(
        d.months.map((row) => row.videos),
        {
          width,
          label: `Videos per month, ${fmt.month(keys[0])} to ${fmt.month(keys.at(-1))}`,
          labelOf: (i) => `${fmt.month(keys[i])} (${fmt.num(d.months[i].est_watch_hours)} h)`,
          tickOf: monthTicks(keys, width),
        },
      ),
      h("p", { class: "note" }, `Busiest month: ${fmt.month(peak.month)}, ${fmt.int(peak.videos)} videos.`),
    );
  },

  top_channels(d) {
    if (!d.channels.length) return nothing();
    return h(
      "div",
      {},
      hbars(
        d.channels.map((row) => ({
          label: row.channel_name ?? row.channel_id,
          value: row.videos,
          text: `${fmt.int(row.videos)} · ${fmt.pct(row.share)}`,
          note: `${row.channel_name}: ${fmt.date(row.first_watched_at)} – ${fmt.date(row.last_watched_at)}`,
        })),
      ),
      h("p", { class: "note" }, `${fmt.int(d.total_channels)} channels in all.`),
    );
  },

  day_time_heatmap(d, width) {
    if (!d.total) return nothing();
    return heatmap(d.cells, {
      width,
      max: d.max,
      rowLabels: WEEKDAYS,
      columnTick: hourTicks(width),
      describe: `Videos by weekday and local hour; the busiest hour slot has ${fmt.int(d.max)}`,
    });
  },

  topics_leaderboard(d) {
    if (!d.topics.length) return nothing();
    return h(
      "div",
      {},
      hbars(
        d.topics.map((row) => ({
          label: row.topic,
          value: row.videos,
          text: `${fmt.int(row.videos)} · ${fmt.pct(row.share)}`,
          note: `${row.topic}: ${fmt.int(row.unique_channels)} channels`,
        })),
      ),
      h("p", { class: "note" }, `${fmt.int(d.untagged_videos)} videos have no topic.`),
    );
  },

  session_analysis(d, width) {
    if (!d.sessions) return nothing();
    const longest = d.longest_session;
    const minutes = (Date.parse(longest.end) - Date.parse(longest.start)) / 60000;
    return h(
      "div",
      {},
      figures([
        ["Sessions", fmt.int(d.sessions)],
        ["Videos per session", `${fmt.num(d.avg_videos_per_session)} (median ${fmt.num(d.median_videos_per_session)})`],
        ["Average length", `${fmt.num(d.avg_session_minutes)} min`],
        ["Longest", `${fmt.int(minutes)} min, ${fmt.int(longest.videos)} videos, ${fmt.date(longest.start)}`],
      ]),
      columns(
        d.histogram.map((row) => row.sessions),
        {
          width,
          height: 130,
          label: "Sessions by number of videos",
          labelOf: (i) => `${d.histogram[i].bucket} videos`,
          tickOf: (i) => d.histogram[i].bucket,
        },
      ),
    );
  },

  viewing_patterns(d, width) {
    if (!d.by_hour.some(Boolean)) return nothing();
    return h(
      "div",
      {},
      figures([
        ["Peak hour", fmt.hour(d.peak_hour)],
        ["Peak weekday", WEEKDAYS[d.peak_weekday]],
        ["At night (0–5 h)", fmt.pct(d.night_share)],
        ["Weekday / weekend per day", `${fmt.num(d.weekday_avg_per_day)} / ${fmt.num(d.weekend_avg_per_day)}`],
        ["Binge days (20+)", fmt.int(d.binge_days)],
        ["Busiest day", d.busiest_day ? `${d.busiest_day.date} (${fmt.int(d.busiest_day.videos)})` : "–"],
      ]),
      columns(d.by_hour, {
        width,
        height: 120,
        label: "Videos by local hour",
        labelOf: (i) => fmt.hour(i),
        tickOf: hourTicks(width),
      }),
      columns(d.by_weekday, {
        width,
        height: 120,
        label: "Videos by weekday",
        labelOf: (i) => WEEKDAYS[i],
        tickOf: (i) => WEEKDAYS[i],
      }),
    );
  },

  enhanced_channel_metrics(d) {
    if (!d.channels.length) return nothing();
    const number = (key, label, format = fmt.int) => ({ key, label, numeric: true, value: (row) => row[key], format });
    return sortableTable({
      label: "Channels in detail",
      sort: channelSort,
      rows: d.channels,
      columns: [
        { key: "channel_name", label: "Channel", value: (row) => row.channel_name ?? row.channel_id },
        number("videos", "Videos"),
        number("unique_videos", "Unique"),
        number("active_days", "Active days"),
        number("active_months", "Active months"),
        number("avg_videos_per_active_month", "Per active month", fmt.num),
        number("loyalty", "Loyalty", fmt.pct),
        number("recent_90d", "Last 90 d"),
        number("previous_90d", "90 d before"),
        { key: "last_watched_at", label: "Last watched", value: (row) => row.last_watched_at, format: fmt.date },
      ],
    });
  },

  channel_relationships(d, width) {
    if (!d.edges.length) return h("p", { class: "empty" }, "No two channels shared a session.");
    const names = new Map(d.nodes.map((node) => [node.channel_id, node.channel_name ?? node.channel_id]));
    const pair = (edge) => `${names.get(edge.source)} + ${names.get(edge.target)}`;
    return h(
      "div",
      { class: "relationships" },
      network(
        d.nodes.map((node) => ({
          id: node.channel_id,
          name: names.get(node.channel_id),
          weight: node.videos,
          title: `${names.get(node.channel_id)}: ${fmt.int(node.videos)} videos in ${fmt.int(node.sessions)} sessions`,
        })),
        d.edges.map((edge) => ({
          source: edge.source,
          target: edge.target,
          strength: edge.sessions_together,
          title: `${pair(edge)}: ${fmt.int(edge.sessions_together)} sessions together (Jaccard ${fmt.num(edge.jaccard)})`,
        })),
        { width, label: `${d.nodes.length} channels linked by watching them in the same session` },
      ),
      h(
        "ol",
        { class: "pairs", "aria-label": "Pairs most often watched together" },
        d.edges.slice(0, 5).map((edge) => h("li", {}, `${pair(edge)} `, h("span", { class: "muted" }, `${fmt.int(edge.sessions_together)} sessions`))),
      ),
    );
  },

  topic_evolution(d, width) {
    if (!d.months.length || !d.series.length) return nothing();
    return stackedArea(
      d.months,
      d.series.map((item) => ({ name: item.topic, values: item.videos })),
      {
        width,
        label: `Videos per month of the top ${d.series.length} topics, stacked`,
        tickOf: monthTicks(d.months, width),
      },
    );
  },
};

/** A panel's content drawn from its envelope's `data` at `width` (the server draws with it too). */
export function drawPanel(type, data, width) {
  return RENDER[type](data, width);
}

/** What a panel drawn from `envelope` at `width` looks like: equal keys, equal nodes. */
export function panelKey(type, envelope, width) {
  const order = type === "enhanced_channel_metrics" ? ` ${channelSort.key} ${channelSort.descending}` : "";
  return `${type} ${envelope.filter_hash} ${envelope.data_version} ${envelope.computed_at} ${width}${order}`;
}

// Drawing ahead stops after this long and goes on in the next idle period, however long
// this one is (up to 50 ms): a click or a navigation that comes meanwhile waits for the
// slice at hand only (a navigation commits on this thread, after the task it runs).
const DRAW_AHEAD_SLICE_MS = 4;

/**
 * Whether work begun now in an idle period (`deadline`, null without requestIdleCallback)
 * may go on: for `sliceMs` at most, and while the period lasts.
 */
export function idleSlice(deadline, sliceMs = DRAW_AHEAD_SLICE_MS, now = () => performance.now()) {
  const until = now() + sliceMs;
  return () => now() < until && (!deadline || deadline.didTimeout || deadline.timeRemaining() > 3);
}

/** Run `job` in an idle period (soon after, where requestIdleCallback is missing). */
const idle = (job) =>
  typeof requestIdleCallback === "function" ? requestIdleCallback(job, { timeout: 2000 }) : setTimeout(() => job(null), 30);

/**
 * The panels under `root` (`[data-panel]` elements), drawn from dashboard envelopes.
 * `prepare` draws the panels of a bundle likely to be shown next off-screen, in idle time,
 * so that showing it only swaps nodes in.
 */
export function createPanels(root, { onRetry, onDrawn = () => {} }) {
  const panels = [...root.querySelectorAll("[data-panel]")].map((element) => ({
    element,
    type: element.dataset.panel,
    body: element.querySelector(".panel-body"),
  }));
  let shown = null;
  // Panel widths as the browser lays them out, kept by a ResizeObserver: drawing never
  // forces a layout, and a panel whose width changes is drawn again to fit.
  const widths = new Map();
  const drawnAt = new Map();
  const drawnKey = new Map(); // panel -> what it shows: result identity and width
  const prepared = new Map(); // key -> node drawn ahead, oldest first
  let queue = []; // [panel, envelope] still to prepare
  let redraw = 0;
  const resized = () =>
    panels.filter((panel) => panel.element.dataset.state === "ready" && widthOf(panel) !== drawnAt.get(panel));
  const observer = new ResizeObserver((entries) => {
    for (const entry of entries) widths.set(entry.target, Math.floor(entry.contentRect.width));
    clearTimeout(redraw);
    redraw = setTimeout(() => {
      const changed = resized();
      for (const panel of changed) draw(panel, shown[panel.type]);
      if (changed.length) onDrawn(drawnWidths());
    }, 150);
  });
  for (const panel of panels) observer.observe(panel.body);

  function widthOf(panel) {
    // Before the ResizeObserver reports, the same floor of the same fractional width
    // (clientWidth rounds: drawing at it drew every panel twice, 1 px apart).
    return Math.max(240, widths.get(panel.body) ?? Math.floor(panel.body.getBoundingClientRect().width));
  }

  function setState(panel, state) {
    if (panel.element.dataset.state === state) return;
    panel.element.dataset.state = state;
    panel.element.setAttribute("aria-busy", String(state === "loading"));
  }

  const keyOf = (panel, envelope, width) => panelKey(panel.type, envelope, width);

  // Panels the server drew into the page (web/prerender.js) stay as they are when this page
  // would draw the same: same result and width (their keys), same locale and zone, and
  // nothing to listen to (the server gives no key to a panel with listeners).
  const { locale, timeZone } = currentLocale();
  if (root.dataset.drawnLocale === `${locale} ${timeZone}`) {
    for (const panel of panels) {
      if (panel.element.dataset.drawnKey) drawnKey.set(panel, panel.element.dataset.drawnKey);
    }
  }

  function draw(panel, envelope, width = widthOf(panel)) {
    try {
      if (!envelope) throw new Error("missing from the response");
      const key = keyOf(panel, envelope, width);
      drawnAt.set(panel, width);
      // The same result at the same width (a refresh that found nothing new): keep the nodes.
      if (drawnKey.get(panel) !== key) {
        const ready = prepared.get(key);
        prepared.delete(key);
        panel.body.replaceChildren(ready ?? RENDER[panel.type](envelope.data, width));
        drawnKey.set(panel, key);
        panel.element.dataset.filterHash = envelope.filter_hash;
      }
      setState(panel, "ready");
    } catch (error) {
      showError(panel, `Could not draw this panel: ${error.message}`);
    }
  }

  function render(types) {
    shown = types;
    // Every width first: reading one after drawing another would force a layout each time
    // (the first draw comes before the ResizeObserver has reported any width).
    const sizes = panels.map(widthOf);
    panels.forEach((panel, index) => draw(panel, types[panel.type], sizes[index]));
    onDrawn(drawnWidths());
  }

  /** The width each drawn panel was drawn at, by type. */
  function drawnWidths() {
    return Object.fromEntries(panels.filter((panel) => drawnAt.has(panel)).map((panel) => [panel.type, drawnAt.get(panel)]));
  }

  /** Draw the queued panels off-screen while the page is idle, a slice at a time. */
  function work(deadline) {
    const going = idleSlice(deadline);
    while (queue.length && going()) {
      const [panel, envelope] = queue.shift();
      const width = widthOf(panel);
      const key = keyOf(panel, envelope, width);
      if (drawnKey.get(panel) === key || prepared.has(key)) continue;
      try {
        prepared.set(key, RENDER[panel.type](envelope.data, width));
      } catch {
        continue; // drawn (and reported) when shown
      }
      if (prepared.size > PREPARED_PANELS) prepared.delete(prepared.keys().next().value);
      if (!deadline) break; // no idle callbacks: one panel per timeout
    }
    if (queue.length) idle(work);
  }

  function prepare(types) {
    const idleBefore = queue.length === 0;
    for (const panel of panels) if (types[panel.type]) queue.push([panel, types[panel.type]]);
    queue = queue.slice(-PREPARED_PANELS);
    if (idleBefore && queue.length) idle(work);
  }

  function showError(panel, message) {
    drawnKey.delete(panel);
    panel.body.replaceChildren(
      h("div", { class: "panel-error" }, h("p", {}, message), h("button", { type: "button", onclick: onRetry }, "Try again")),
    );
    setState(panel, "error");
  }

  return {
    loading() {
      for (const panel of panels) setState(panel, "loading");
    },
    render,
    prepare,
    fail(message) {
      for (const panel of panels) showError(panel, message);
    },
  };
}
