/** docs/tables.md describes the tables as schema.ts defines them. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { repoRoot } from "../../testing/corpus.js";
import { schema, schemaMarkdown } from "./schema.js";

it("docs/tables.md holds the schema's tables and columns, as schema.ts words them", () => {
  const doc = readFileSync(join(repoRoot, "docs", "tables.md"), "utf8");
  const begin = doc.indexOf("-->\n", doc.indexOf("<!-- schema:")) + 4;
  const end = doc.indexOf("<!-- end of schema -->");
  assert.ok(begin > 4 && end > begin, "docs/tables.md has the schema's markers");
  // On a difference, paste schemaMarkdown()'s text between the markers.
  assert.equal(doc.slice(begin, end), schemaMarkdown());
  for (const t of schema) assert.match(doc, new RegExp(`^### ${t.name}$`, "m"));
});
