/**
 * cli.ts keeps V8's young generation at its start-up size on Node unless Node was told how
 * to size it: which flags count as telling it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { sizesYoungGeneration } from "../../cli.ts";

test("semi-space flags on the command line or in NODE_OPTIONS size the young generation", () => {
  assert.equal(sizesYoungGeneration(["--max-semi-space-size=64"], ""), true);
  assert.equal(sizesYoungGeneration(["--min_semi_space_size=32"], ""), true);
  assert.equal(sizesYoungGeneration(["--semi-space-growth-factor=2"], ""), true);
  assert.equal(sizesYoungGeneration([], "--trace-warnings --max-semi-space-size=64"), true);
});

test("other flags leave the young generation to the command", () => {
  assert.equal(sizesYoungGeneration([], ""), false);
  assert.equal(sizesYoungGeneration(["--import", "tsx", "--cpu-prof"], ""), false);
  assert.equal(sizesYoungGeneration([], "--max-old-space-size=512"), false);
  assert.equal(sizesYoungGeneration(["--max-semi-space-sizes=1"], ""), false);
});
