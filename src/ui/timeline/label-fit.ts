/**
 * Fitting a label into a few characters without losing what matters: Go
 * names ("G14 github.com/segmentio/kafka-go.(*Reader).run") carry the
 * function at the end, so the package path is shortened first, then the
 * middle is cut; the start (the goroutine ID) and the end stay. No DOM.
 */

/**
 * Shortened forms of `text`, longest first: the package path cut to its
 * first and last elements, then to the last; the label dropped; the package dropped.
 */
function shorterForms(text: string): string[] {
  // "G14 " and " (label)" stay around the qualified function name.
  const m = /^(G\d+ )?(\S+)( \(.*\))?$/s.exec(text);
  if (!m) return [];
  const [, id = "", name = "", rest = ""] = m;
  // The import path ends at the last slash outside brackets (generic type arguments hold slashes too).
  const cut = name.search(/[[(]/);
  const slash = name.lastIndexOf("/", cut < 0 ? name.length : cut);
  if (slash < 0) return [...(rest ? [`${id}${name}`] : []), ...withoutPackage(id, name)];
  const last = name.slice(slash + 1);
  const firstSlash = name.indexOf("/");
  const forms: string[] = [];
  if (firstSlash < slash) forms.push(`${id}${name.slice(0, firstSlash)}/…/${last}${rest}`);
  forms.push(`${id}${last}${rest}`);
  // A goroutine's label (" (GC (dedicated))") goes before the function does: the tooltip has it.
  if (rest) forms.push(`${id}${last}`);
  return [...forms, ...withoutPackage(id, last)];
}

/**
 * "G14 (*Reader).run" for "G14 kafka-go.(*Reader).run": a goroutine's
 * function without its package (not for task or region names, whose dots mean what their authors chose).
 */
function withoutPackage(id: string, name: string): string[] {
  if (!id) return [];
  const dot = name.indexOf(".");
  return dot > 0 && dot < name.length - 1 ? [`${id}${name.slice(dot + 1)}`] : [];
}

/**
 * `text` in at most `room` characters: whole if it fits, else with its
 * package path shortened (`G14 github.com/…/kafka-go.(*Reader).run`,
 * `G14 kafka-go.(*Reader).run`), then without the goroutine's label, then
 * without the package (`G14 (*Reader).run`), else with its middle cut so
 * that the goroutine ID and the end of the function stay (`G14 …eader).run`).
 */
export function fitLabel(text: string, room: number): string {
  if (text.length <= room) return text;
  if (room <= 0) return "";
  if (room === 1) return "…";
  const forms = shorterForms(text);
  for (const form of forms) if (form.length <= room) return form;
  const shortest = forms[forms.length - 1] ?? text;
  // Keep "G14 " when there is room for it and a few characters of the name.
  const id = /^G\d+ /.exec(shortest)?.[0] ?? "";
  if (id && room - id.length - 1 >= 4) return `${id}…${shortest.slice(-(room - id.length - 1))}`;
  // Two thirds of what is left for the end, at least one character.
  const tail = room - 1 - Math.floor((room - 1) / 3);
  return `${shortest.slice(0, room - 1 - tail)}…${shortest.slice(shortest.length - tail)}`;
}
