/**
 * The analysis pages' counted nouns (src/ui/pages/plural.ts): one thing is
 * singular, every other count plural, with thousands separators. Imported
 * through testing/ui-module.ts, so this is the code the browser runs.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { importUiModule } from "../testing/ui-module.js";

interface Plural {
  pluralWord(n: number, one: string, many?: string): string;
  plural(n: number, one: string, many?: string): string;
}

const p = await importUiModule<Plural>("plural.ts");

describe("counted nouns on the analysis pages", () => {
  it("say 1 goroutine, 0 and 2 goroutines", () => {
    assert.equal(p.plural(1, "goroutine"), "1 goroutine");
    assert.equal(p.plural(0, "goroutine"), "0 goroutines");
    assert.equal(p.plural(2, "goroutine"), "2 goroutines");
    assert.equal(p.plural(12345, "interval"), "12,345 intervals");
  });

  it("take an irregular plural", () => {
    assert.equal(p.plural(1, "match", "matches"), "1 match");
    assert.equal(p.plural(3, "match", "matches"), "3 matches");
    assert.equal(p.pluralWord(0, "task"), "tasks");
  });
});
