// Hand-written SVG and HTML charts. Each takes plain values and the width it may use,
// and returns a node; colours come from CSS classes, so light and dark themes both work.
// A chart's marks name themselves in `data-tip` (shown by tips.js), not in <title>
// elements: a drawn dashboard had 327 of them, a quarter of the nodes the page parses.

import { fmt, h, s, short } from "./dom.js";

const PAD = { top: 10, right: 6, bottom: 20, left: 40 };
const SERIES_COLOURS = 10; // CSS classes s0..s9

function frame(width, height, label, extraClass = "") {
  return s("svg", {
    class: `chart ${extraClass}`.trim(),
    viewBox: `0 0 ${short(width)} ${short(height)}`,
    width,
    height,
    role: "img",
    "aria-label": label,
  });
}

function gridlines(chart, { width, height, max, format }) {
  const inner = height - PAD.top - PAD.bottom;
  for (const fraction of [0, 0.5, 1]) {
    const y = PAD.top + inner * (1 - fraction);
    chart.append(
      s("line", { class: "grid", x1: PAD.left, x2: width - PAD.right, y1: y, y2: y }),
      s("text", { class: "axis", x: PAD.left - 6, y: y + 4, "text-anchor": "end", text: format(max * fraction) }),
    );
  }
}

/**
 * Vertical bars: one per value. `labelOf(i)` names a bar (its tooltip), `tickOf(i)` is the
 * text under it or null (so long series can label every few bars).
 */
export function columns(values, { width, height = 150, label, labelOf, tickOf, format = fmt.int }) {
  const chart = frame(width, height, label);
  const max = Math.max(1, ...values);
  const inner = { w: width - PAD.left - PAD.right, h: height - PAD.top - PAD.bottom };
  const step = inner.w / Math.max(1, values.length);
  const bar = Math.max(1, step * (values.length > 40 ? 0.9 : 0.72));
  gridlines(chart, { width, height, max, format: (v) => format(Math.round(v)) });
  values.forEach((value, i) => {
    const barHeight = (value / max) * inner.h;
    const x = PAD.left + i * step + (step - bar) / 2;
    chart.append(
      s("rect", {
        class: "bar",
        x,
        y: PAD.top + inner.h - barHeight,
        width: bar,
        height: Math.max(0, barHeight),
        "data-tip": `${labelOf(i)}: ${format(value)}`,
      }),
    );
    const tick = tickOf(i);
    if (tick !== null) {
      chart.append(s("text", { class: "axis", x: x + bar / 2, y: height - 5, "text-anchor": "middle", text: tick }));
    }
  });
  return chart;
}

/** Horizontal bars in HTML (long names wrap and stay readable): `{label, value, text, note}`. */
export function hbars(items) {
  const max = Math.max(1, ...items.map((item) => item.value));
  return h(
    "ol",
    { class: "hbars" },
    items.map((item) =>
      h(
        "li",
        {},
        h("span", { class: "hbar-label", title: item.note ?? item.label }, item.label),
        h("span", { class: "hbar-value" }, item.text),
        h("span", { class: "hbar-track", "aria-hidden": "true" },
          h("span", { class: "hbar-fill", style: `width:${((item.value / max) * 100).toFixed(2)}%` })),
      ),
    ),
  );
}

/** A rows x columns grid of counts, darker for more (day x hour). */
export function heatmap(cells, { width, max, rowLabels, columnTick, describe }) {
  const left = 36;
  const columnsCount = cells[0]?.length ?? 0;
  const cell = (width - left - PAD.right) / Math.max(1, columnsCount);
  const rowHeight = Math.min(Math.max(cell * 1.6, 14), 30);
  const height = PAD.top + rowHeight * cells.length + PAD.bottom;
  const chart = frame(width, height, describe, "heatmap");
  cells.forEach((row, r) => {
    const y = PAD.top + r * rowHeight;
    chart.append(s("text", { class: "axis", x: left - 6, y: y + rowHeight / 2 + 4, "text-anchor": "end", text: rowLabels[r] }));
    row.forEach((value, c) => {
      const shade = value === 0 || max === 0 ? 0 : 0.12 + 0.88 * (value / max);
      chart.append(
        s("rect", {
          class: value === 0 ? "cell empty" : "cell",
          x: left + c * cell + 0.5,
          y: y + 0.5,
          width: Math.max(1, cell - 1),
          height: rowHeight - 1,
          "fill-opacity": value === 0 ? null : shade.toFixed(3),
          "data-tip": `${rowLabels[r]} ${fmt.hour(c)}: ${fmt.int(value)}`,
        }),
      );
    });
  });
  for (let c = 0; c < columnsCount; c += 1) {
    const tick = columnTick(c);
    if (tick !== null) {
      chart.append(s("text", { class: "axis", x: left + c * cell + cell / 2, y: height - 5, "text-anchor": "middle", text: tick }));
    }
  }
  return chart;
}

/** Stacked areas over a shared x axis (series of equal length), with a legend. */
export function stackedArea(keys, series, { width, height = 200, label, tickOf }) {
  const chart = frame(width, height, label);
  const count = keys.length;
  const totals = keys.map((_, i) => series.reduce((sum, item) => sum + item.values[i], 0));
  const max = Math.max(1, ...totals);
  const inner = { w: width - PAD.left - PAD.right, h: height - PAD.top - PAD.bottom };
  const x = (i) => PAD.left + (count === 1 ? inner.w / 2 : (i / (count - 1)) * inner.w);
  const y = (v) => PAD.top + inner.h * (1 - v / max);
  gridlines(chart, { width, height, max, format: (v) => fmt.int(Math.round(v)) });
  const base = new Array(count).fill(0);
  series.forEach((item, index) => {
    const top = base.map((value, i) => value + item.values[i]);
    const upper = top.map((value, i) => `${x(i).toFixed(1)},${y(value).toFixed(1)}`);
    const lower = base.map((value, i) => `${x(i).toFixed(1)},${y(value).toFixed(1)}`).reverse();
    const points = count === 1 ? [`${PAD.left},${y(top[0])}`, `${width - PAD.right},${y(top[0])}`,
      `${width - PAD.right},${y(base[0])}`, `${PAD.left},${y(base[0])}`] : [...upper, ...lower];
    const total = item.values.reduce((sum, value) => sum + value, 0);
    chart.append(
      s("polygon", {
        class: `area s${index % SERIES_COLOURS}`,
        points: points.join(" "),
        "data-tip": `${item.name}: ${fmt.int(total)}`,
      }),
    );
    top.forEach((value, i) => {
      base[i] = value;
    });
  });
  keys.forEach((_, i) => {
    const tick = tickOf(i);
    if (tick !== null) {
      chart.append(s("text", { class: "axis", x: x(i), y: height - 5, "text-anchor": "middle", text: tick }));
    }
  });
  return h(
    "figure",
    { class: "stacked" },
    chart,
    h(
      "figcaption",
      { class: "legend" },
      series.map((item, index) =>
        h("span", { class: "legend-item" }, h("span", { class: `swatch s${index % SERIES_COLOURS}`, "aria-hidden": "true" }), item.name),
      ),
    ),
  );
}

/**
 * A chord-like network: nodes on a circle (area by `weight`), edges as curves through the
 * middle (thicker for `strength`). Focusing or pointing at a node highlights its edges.
 */
export function network(nodes, edges, { width, label }) {
  const size = Math.min(width, 460);
  // Label every node while there is room on the circle, else every few (tooltips name all).
  const labelEvery = Math.max(1, Math.ceil(nodes.length / Math.max(1, Math.floor(size / 14))));
  const margin = Math.min(90, size * 0.22); // room for the labels around the circle
  const characters = Math.floor((margin - 14) / 6);
  const radius = size / 2 - margin;
  const centre = size / 2;
  const chart = frame(size, size, label, "network");
  const maxWeight = Math.max(1, ...nodes.map((node) => node.weight));
  const maxStrength = Math.max(1, ...edges.map((edge) => edge.strength));
  const place = new Map();
  nodes.forEach((node, i) => {
    const angle = (i / nodes.length) * 2 * Math.PI - Math.PI / 2;
    place.set(node.id, { angle, x: centre + radius * Math.cos(angle), y: centre + radius * Math.sin(angle) });
  });
  const edgeGroup = s("g", { class: "edges" });
  const edgeNodes = edges.map((edge) => {
    const a = place.get(edge.source);
    const b = place.get(edge.target);
    const path = s(
      "path",
      {
        class: "edge",
        d: `M${a.x.toFixed(1)},${a.y.toFixed(1)} Q${centre},${centre} ${b.x.toFixed(1)},${b.y.toFixed(1)}`,
        "stroke-width": (1 + 5 * (edge.strength / maxStrength)).toFixed(2),
        "data-tip": edge.title,
      },
    );
    edgeGroup.append(path);
    return { edge, path };
  });
  chart.append(edgeGroup);
  const highlight = (id) => {
    chart.classList.toggle("focused", id !== null);
    for (const { edge, path } of edgeNodes) {
      path.classList.toggle("on", edge.source === id || edge.target === id);
    }
  };
  nodes.forEach((node, i) => {
    const { angle, x, y } = place.get(node.id);
    const group = s(
      "g",
      {
        class: `node s${i % SERIES_COLOURS}`,
        tabindex: 0,
        role: "img",
        "aria-label": node.title,
        "data-tip": node.title,
        onfocus: () => highlight(node.id),
        onblur: () => highlight(null),
        onmouseenter: () => highlight(node.id),
        onmouseleave: () => highlight(null),
      },
      s("circle", { cx: x, cy: y, r: (3 + 8 * Math.sqrt(node.weight / maxWeight)).toFixed(1) }),
    );
    if (i % labelEvery === 0) {
      const right = Math.cos(angle) >= 0;
      const text = node.name.length > characters ? `${node.name.slice(0, characters - 1)}…` : node.name;
      group.append(
        s("text", {
          class: "axis",
          x: centre + (radius + 12) * Math.cos(angle),
          y: centre + (radius + 12) * Math.sin(angle) + 4,
          "text-anchor": right ? "start" : "end",
          text,
        }),
      );
    }
    chart.append(group);
  });
  return chart;
}
