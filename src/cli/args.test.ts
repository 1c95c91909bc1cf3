/** The one argument parser: its spellings, its refusals and the help it prints from a flag table. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type CommandSpec, commandHelp, countFlag, parseCommandArgs, UsageError } from "./args.js";

const spec: CommandSpec = {
  name: "demo",
  operands: ["FILE"],
  summary: "a command for the tests",
  flags: [
    { name: "top", value: "N", help: "how many" },
    { name: "output", short: "o", value: "FILE", help: "where" },
    { name: "d", value: "MODE", help: "a one-letter flag with a value" },
    { name: "json", help: "JSON" },
    { name: "csv", help: "CSV\nsecond line" },
  ],
  exclusive: [["json", "csv"]],
};

function parse(...argv: string[]) {
  const a = parseCommandArgs(spec, argv);
  return {
    operands: a.operands,
    values: Object.fromEntries(a.values),
    switches: [...a.switches],
    help: a.help,
  };
}

/** The message of the UsageError parsing `argv` throws. */
function refusal(...argv: string[]): string {
  try {
    parseCommandArgs(spec, argv);
  } catch (e) {
    assert.ok(e instanceof UsageError, String(e));
    return e.message;
  }
  assert.fail(`accepted ${argv.join(" ")}`);
}

describe("parseCommandArgs", () => {
  it("reads every spelling of a flag alike", () => {
    const want = { operands: ["f"], values: { top: "3", output: "x" }, switches: ["json"], help: false };
    for (const argv of [
      ["--top", "3", "-o", "x", "--json", "f"],
      ["--top=3", "--output=x", "f", "--json"],
      ["-top=3", "-o=x", "-json", "f"],
      ["f", "-top", "3", "-output", "x", "-json"],
    ]) {
      assert.deepEqual(parse(...argv), want, argv.join(" "));
    }
    assert.deepEqual(parse("-d", "wire", "f").values, { d: "wire" });
    assert.deepEqual(parse("-d=wire", "f").values, { d: "wire" });
  });

  it("leaves values alone: a negative number, a dash, anything after --", () => {
    assert.deepEqual(parse("--top", "-1", "f").values, { top: "-1" });
    assert.deepEqual(parse("-o", "-", "f").values, { output: "-" });
    assert.deepEqual(parse("--top=--json", "f").values, { top: "--json" });
    assert.deepEqual(parse("--", "-f").operands, ["-f"]);
  });

  it("refuses unknown flags, naming them as typed", () => {
    assert.equal(refusal("--bogus", "f"), "unknown flag --bogus");
    assert.equal(refusal("-bogus=1", "f"), "unknown flag -bogus");
    assert.equal(refusal("f", "-x"), "unknown flag -x");
    // No abbreviations: --window is not --windows, --js is not --json.
    assert.equal(refusal("--js", "f"), "unknown flag --js");
  });

  it("refuses a missing value, a value given to a switch, a flag given twice", () => {
    assert.equal(refusal("f", "--top"), "--top needs a value (--top N)");
    assert.equal(refusal("--top", "--json", "f"), "--top needs a value (--top N)");
    assert.equal(refusal("--json=true", "f"), "--json takes no value");
    assert.equal(refusal("--top=1", "--top", "2", "f"), "--top given twice");
  });

  it("refuses flags that contradict each other and the wrong number of operands", () => {
    assert.equal(refusal("--json", "--csv", "f"), "--json and --csv do not go together");
    assert.equal(refusal(), "missing FILE");
    assert.equal(refusal("f", "g"), 'unexpected argument "g"');
  });

  it("answers --help and -h before checking anything else", () => {
    for (const h of ["--help", "-h", "-help"]) assert.equal(parse("--bogus", h).help, true, h);
  });
});

describe("countFlag", () => {
  it("takes whole numbers only", () => {
    const args = (top: string) => parseCommandArgs(spec, ["--top", top, "f"]);
    assert.equal(countFlag(args("12"), "top", 5), 12);
    assert.equal(countFlag(parseCommandArgs(spec, ["f"]), "top", 5), 5);
    for (const bad of ["abc", "-1", "1.5", "", "1e3", "99999999999999999999"]) {
      assert.throws(() => countFlag(args(bad), "top", 5), UsageError, bad);
    }
  });
});

describe("commandHelp", () => {
  it("lists every flag with its value and help, from the same table", () => {
    const help = commandHelp(spec);
    assert.equal(
      help,
      [
        "usage: gotrace demo [flags] FILE",
        "",
        "a command for the tests",
        "",
        "flags:",
        "  --top N            how many",
        "  -o, --output FILE  where",
        "  -d MODE            a one-letter flag with a value",
        "  --json             JSON",
        "  --csv              CSV",
        "                     second line",
        "  -h, --help         show this help",
        "  (--json, --csv: at most one)",
        "",
      ].join("\n"),
    );
  });
});
