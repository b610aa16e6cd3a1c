// The server's side of drawing the page's first panels (watchcube/api/prerender.py runs it
// in V8, after the page's own modules dom.js, charts.js, table.js and panels.js).
//
// Those modules build nodes with `document.createElement(NS)`, `setAttribute`, `append` and
// `textContent`; here the document is a stand-in whose elements only record that and write
// themselves out as HTML. Listeners cannot be written out: a panel whose drawing adds any
// gets no key, so the page draws it again (with them) once its modules run.

const SVG_NS = "http://www.w3.org/2000/svg";
const VOID = new Set(["area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"]);
const TEXT_ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\u00a0": "&nbsp;" };
const ATTRIBUTE_ESCAPES = { "&": "&amp;", '"': "&quot;", "<": "&lt;", ">": "&gt;", "\u00a0": "&nbsp;" };
let listeners = 0; // added while drawing the current panel
const escapeText = (text) => text.replace(/[&<>\u00a0]/g, (c) => TEXT_ESCAPES[c]);
const escapeAttribute = (text) => text.replace(/[&"<>\u00a0]/g, (c) => ATTRIBUTE_ESCAPES[c]);

class Text {
  constructor(text) {
    this.text = String(text);
  }

  html() {
    return escapeText(this.text);
  }
}

class Element {
  constructor(tag, svg) {
    this.tag = tag;
    this.svg = svg;
    this.attributes = new Map();
    this.children = [];
  }

  setAttribute(name, value) {
    if (!/^[a-zA-Z][\w:.-]*$/.test(name)) throw new Error(`bad attribute name ${name}`);
    this.attributes.set(name, String(value));
  }

  addEventListener() {
    listeners += 1;
  }

  append(...nodes) {
    for (const node of nodes) this.children.push(node instanceof Element || node instanceof Text ? node : new Text(node));
  }

  replaceChildren(...nodes) {
    this.children = [];
    this.append(...nodes);
  }

  set textContent(text) {
    this.children = [new Text(text)];
  }

  html() {
    let out = `<${this.tag}`;
    for (const [name, value] of this.attributes) out += value === "" ? ` ${name}=""` : ` ${name}="${escapeAttribute(value)}"`;
    out += ">";
    if (!this.svg && VOID.has(this.tag)) return out;
    for (const child of this.children) out += child.html();
    return `${out}</${this.tag}>`;
  }
}

globalThis.document = {
  createElement: (tag) => new Element(tag, false),
  createElementNS: (namespace, tag) => {
    if (namespace !== SVG_NS) throw new Error(`unknown namespace ${namespace}`);
    return new Element(tag, true);
  },
};

/**
 * The panels of a dashboard bundle (its JSON text), by type: `[html, filter hash, key]`,
 * the key (panels.js's `panelKey`) only for a panel without listeners, which the page may
 * keep as drawn here. `widths` maps each type to the width to draw at, `locale` and
 * `timeZone` are the reader's. A type the bundle lacks, or one that cannot be drawn, is
 * left out (the page draws it itself).
 */
globalThis.watchcubePrerender = (bundleText, widths, locale, timeZone) => {
  const { setLocale } = watchcubeModules["dom.js"];
  const { drawPanel, panelKey } = watchcubeModules["panels.js"];
  setLocale(locale, timeZone);
  const { types } = JSON.parse(bundleText);
  const drawn = {};
  for (const [type, width] of Object.entries(widths)) {
    const envelope = types[type];
    if (!envelope) continue;
    try {
      listeners = 0;
      const html = drawPanel(type, envelope.data, width).html();
      drawn[type] = [html, envelope.filter_hash, listeners ? null : panelKey(type, envelope, width)];
    } catch {
      // Left to the page, which shows what went wrong.
    }
  }
  return JSON.stringify(drawn);
};
