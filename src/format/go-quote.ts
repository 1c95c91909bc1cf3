/**
 * Go's strconv.Quote, which `go tool trace` uses (through %q) for every
 * string it prints.
 *
 * Strings decoded from traces keep invalid UTF-8 bytes as lone surrogates
 * U+DC80–U+DCFF (see decodeGoString), so they can be printed back as \xNN
 * exactly as Go prints the raw bytes.
 */

// Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
// JS's Unicode tables may be a version newer than Go's; they differ only for code points new in that version.
const printable = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

const hex = (n: number, width: number): string => n.toString(16).padStart(width, "0");

export function quoteGo(s: string): string {
  let out = '"';
  for (const ch of s) {
    const r = ch.codePointAt(0)!;
    if (r >= 0xdc80 && r <= 0xdcff) {
      out += `\\x${hex(r - 0xdc00, 2)}`;
      continue;
    }
    if (r >= 0xd800 && r <= 0xdfff) {
      // Any other lone surrogate cannot come from UTF-8; Go would see U+FFFD.
      out += "\\ufffd";
      continue;
    }
    if (r === 0x22 || r === 0x5c) {
      out += `\\${ch}`;
      continue;
    }
    if (r < 0x80 ? r >= 0x20 && r < 0x7f : printable.test(ch)) {
      out += ch;
      continue;
    }
    switch (r) {
      case 0x07:
        out += "\\a";
        break;
      case 0x08:
        out += "\\b";
        break;
      case 0x0c:
        out += "\\f";
        break;
      case 0x0a:
        out += "\\n";
        break;
      case 0x0d:
        out += "\\r";
        break;
      case 0x09:
        out += "\\t";
        break;
      case 0x0b:
        out += "\\v";
        break;
      default:
        if (r < 0x20 || r === 0x7f) out += `\\x${hex(r, 2)}`;
        else if (r < 0x10000) out += `\\u${hex(r, 4)}`;
        else out += `\\U${hex(r, 8)}`;
    }
  }
  return `${out}"`;
}
