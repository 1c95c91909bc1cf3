/**
 * The flame graph's frame labels (src/ui/pages/flame-label.ts): which
 * shorter forms of a Go function name a narrow frame shows, in which order,
 * and that the function's own name is the last thing to go. Imported
 * through testing/ui-module.ts, so this is the code the browser runs.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { importUiModule } from "../testing/ui-module.js";

interface FlameLabel {
  labelForms(name: string): string[];
  fitLabel(name: string, fits: (text: string) => boolean): string;
}

const fl = await importUiModule<FlameLabel>("pages/flame-label.ts");

/** A fit by characters: `n` of them at most. */
const chars = (n: number) => (t: string) => [...t].length <= n;

describe("flame graph labels", () => {
  it("drop the package path first, one directory at a time, then package and receiver", () => {
    assert.deepEqual(fl.labelForms("github.com/segmentio/kafka-go.(*Reader).run"), [
      "github.com/segmentio/kafka-go.(*Reader).run",
      "segmentio/kafka-go.(*Reader).run",
      "kafka-go.(*Reader).run",
      "(*Reader).run",
      "run",
    ]);
    assert.deepEqual(fl.labelForms("runtime.gcBgMarkWorker"), ["runtime.gcBgMarkWorker", "gcBgMarkWorker"]);
    assert.deepEqual(fl.labelForms("sync.(*Mutex).Lock"), ["sync.(*Mutex).Lock", "(*Mutex).Lock", "Lock"]);
  });

  it("keep a closure with the function it is in", () => {
    assert.deepEqual(fl.labelForms("main.main.func3"), ["main.main.func3", "main.func3"]);
    assert.deepEqual(fl.labelForms("net/http.(*Server).Serve.func1.2"), [
      "net/http.(*Server).Serve.func1.2",
      "http.(*Server).Serve.func1.2",
      "(*Server).Serve.func1.2",
      "Serve.func1.2",
    ]);
  });

  it("do not split inside a generic instantiation's brackets", () => {
    assert.deepEqual(fl.labelForms("example.com/m/cache.(*Map[go.shape.string,example.com/m/x.T]).Get"), [
      "example.com/m/cache.(*Map[go.shape.string,example.com/m/x.T]).Get",
      "m/cache.(*Map[go.shape.string,example.com/m/x.T]).Get",
      "cache.(*Map[go.shape.string,example.com/m/x.T]).Get",
      "(*Map[go.shape.string,example.com/m/x.T]).Get",
      "Get",
    ]);
  });

  it("pick the longest form that fits, and cut the last one at its end only when nothing fits", () => {
    const name = "github.com/segmentio/kafka-go.(*Reader).run";
    assert.equal(fl.fitLabel(name, chars(100)), name);
    assert.equal(fl.fitLabel(name, chars(30)), "kafka-go.(*Reader).run");
    assert.equal(fl.fitLabel(name, chars(13)), "(*Reader).run");
    assert.equal(fl.fitLabel(name, chars(5)), "run");
    assert.equal(fl.fitLabel("runtime.gcBgMarkWorker", chars(6)), "gcBgM…");
    assert.equal(fl.fitLabel(name, chars(1)), "");
    // A character outside the BMP is cut whole, never half a surrogate pair.
    assert.equal(fl.fitLabel("main.𝔣𝔬𝔬𝔟𝔞𝔯", chars(4)), "𝔣𝔬𝔬…");
  });

  it("always show a suffix of the name, or a cut of its last part, and never lose room as the frame widens", () => {
    const part = fc.stringMatching(/^[a-z][a-z0-9_-]{0,8}$/);
    const names = fc
      .tuple(
        fc.array(part, { maxLength: 4 }),
        part,
        fc.array(
          fc.oneof(
            part,
            part.map((p) => `(*${p})`),
          ),
          { maxLength: 3 },
        ),
      )
      .map(([dirs, pkg, rest]) => [[...dirs, pkg].join("/"), ...rest, "f"].join("."));
    fc.assert(
      fc.property(names, fc.nat(60), (name, room) => {
        const label = fl.fitLabel(name, chars(room));
        assert.ok([...label].length <= room);
        const forms = fl.labelForms(name);
        if (label.endsWith("…")) assert.ok(forms.at(-1)!.startsWith(label.slice(0, -1)));
        else if (label !== "") assert.ok(forms.includes(label) && name.endsWith(label));
        // A wider frame never shows less.
        assert.ok([...fl.fitLabel(name, chars(room + 1))].length >= [...label].length);
      }),
    );
  });
});
