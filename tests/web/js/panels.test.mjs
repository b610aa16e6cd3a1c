// Drawing ahead in idle time: how long one idle callback may go on. Run with
// `node --test tests/web/js/`.

import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { idleSlice } from "../../../src/watchcube/web/static/panels.js";

/** A clock the test moves, and an idle period with `left` ms to go (or timed out). */
function setup({ left = 50, didTimeout = false } = {}) {
  let time = 1000;
  const clock = { now: () => time, pass: (ms) => (time += ms) };
  const deadline = { didTimeout, timeRemaining: () => Math.max(0, left - (time - 1000)) };
  return { clock, deadline };
}

describe("idleSlice", () => {
  it("stops after its slice, however long the idle period", () => {
    const { clock, deadline } = setup({ left: 50 });
    const going = idleSlice(deadline, 4, clock.now);
    assert.equal(going(), true);
    clock.pass(3.9);
    assert.equal(going(), true);
    clock.pass(0.2);
    assert.equal(going(), false); // 46 ms of the period left: a click or navigation may come
  });

  it("stops when the idle period is nearly over", () => {
    const { clock, deadline } = setup({ left: 5 });
    const going = idleSlice(deadline, 4, clock.now);
    assert.equal(going(), true);
    clock.pass(2.5);
    assert.equal(going(), false);
  });

  it("keeps to its slice when the callback timed out", () => {
    const { clock, deadline } = setup({ left: 0, didTimeout: true });
    const going = idleSlice(deadline, 4, clock.now);
    assert.equal(going(), true);
    clock.pass(4);
    assert.equal(going(), false);
  });

  it("without idle callbacks (a timeout), goes by the slice alone", () => {
    const { clock } = setup();
    const going = idleSlice(null, 4, clock.now);
    assert.equal(going(), true);
    clock.pass(5);
    assert.equal(going(), false);
  });
});
