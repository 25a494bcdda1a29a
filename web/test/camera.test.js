// Unit tests of what the page's own scanner reads of a camera frame (web/src/camera.js):
// the centre at the camera's resolution, never a scaled-down whole frame.
import assert from "node:assert/strict";
import { test } from "node:test";

import { cropPlan, zoomRange } from "../src/camera.js";

test("a 1080p frame: the centre 720 px at 1:1, then its centre 360 px enlarged twice", () => {
  assert.deepEqual(cropPlan(1920, 1080, 0), { sx: 600, sy: 180, sw: 720, sh: 720, dw: 720, dh: 720 });
  assert.deepEqual(cropPlan(1920, 1080, 1), { sx: 780, sy: 360, sw: 360, sh: 360, dw: 720, dh: 720 });
  assert.deepEqual(cropPlan(1920, 1080, 2), cropPlan(1920, 1080, 0));
});

test("a small or portrait frame: its centre square, never scaled down", () => {
  assert.deepEqual(cropPlan(640, 480, 0), { sx: 80, sy: 0, sw: 480, sh: 480, dw: 480, dh: 480 });
  assert.deepEqual(cropPlan(720, 1280, 0), { sx: 0, sy: 280, sw: 720, sh: 720, dw: 720, dh: 720 });
  for (const n of [0, 1]) {
    const p = cropPlan(1280, 720, n);
    assert.ok(p.dw >= p.sw, "enlarged or 1:1");
  }
});

test("the zoom control shows only where the camera offers a zoom", () => {
  const track = (zoom, value) => ({ getCapabilities: () => ({ zoom }), getSettings: () => ({ zoom: value }) });
  assert.deepEqual(zoomRange(track({ min: 1, max: 8, step: 0.1 }, 2)), { min: 1, max: 8, step: 0.1, value: 2 });
  assert.equal(zoomRange(track(undefined)), null);
  assert.equal(zoomRange(track({ min: 1, max: 1 })), null);
  assert.equal(zoomRange({}), null);
  assert.equal(zoomRange(null), null);
});
