// Tooltips of chart marks: one element for the whole page, shown for the mark under the
// pointer or the focused one that names itself in `data-tip` (charts.js).
//
// The listeners sit on the panels' root, not on the marks, so a panel the server drew
// (web/prerender.js) gets its tooltips without being drawn again.

const OFFSET = 14; // px between the pointer and the tooltip

/** Show the `data-tip` of the marks under `root` in one tooltip element; returns it. */
export function attachTips(root) {
  const tip = document.createElement("div");
  tip.className = "tip";
  tip.hidden = true;
  // The marks' charts are images with their own labels (role="img"): the tooltip repeats
  // what the pointer is on, for the eye.
  tip.setAttribute("aria-hidden", "true");
  document.body.append(tip);
  let shown = null; // the mark whose tip is shown

  function place(x, y) {
    const { innerWidth, innerHeight } = window;
    const { width, height } = tip.getBoundingClientRect();
    const left = x + OFFSET + width > innerWidth ? x - OFFSET - width : x + OFFSET;
    const top = y + OFFSET + height > innerHeight ? y - OFFSET - height : y + OFFSET;
    tip.style.left = `${Math.max(0, left)}px`;
    tip.style.top = `${Math.max(0, top)}px`;
  }

  function show(mark, x, y) {
    if (shown !== mark) {
      shown = mark;
      tip.textContent = mark.dataset.tip;
      tip.hidden = false;
    }
    place(x, y);
  }

  function hide() {
    shown = null;
    tip.hidden = true;
  }

  const markOf = (target) => (target instanceof Element ? target.closest("[data-tip]") : null);

  root.addEventListener("pointermove", (event) => {
    const mark = markOf(event.target);
    if (mark && root.contains(mark)) show(mark, event.clientX, event.clientY);
    else if (shown) hide();
  });
  root.addEventListener("pointerleave", hide);
  root.addEventListener("focusin", (event) => {
    const mark = markOf(event.target);
    if (!mark) return;
    const box = mark.getBoundingClientRect();
    show(mark, box.right, box.top);
  });
  root.addEventListener("focusout", hide);
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && shown) hide();
  });
  // A mark redrawn away (a filter change, a resize) takes its tip with it.
  new MutationObserver(() => {
    if (shown && !shown.isConnected) hide();
  }).observe(root, { childList: true, subtree: true });
  return tip;
}
