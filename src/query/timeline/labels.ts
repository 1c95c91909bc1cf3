/** The text a slice is labelled with on the timeline, from its ID. */
import type { Timeline } from "../../model/timeline.js";
import { splitID, Tag } from "./lanes.js";

export function sliceLabel(tl: Timeline, id: number): string {
  const { tag, index } = splitID(id);
  switch (tag) {
    case Tag.Exec:
      return tl.sliceName(index);
    case Tag.Syscall:
      return "syscall";
    case Tag.ProcRange:
      return tl.strings.get(tl.procRanges.name.get(index));
    case Tag.GlobalRange:
      return tl.strings.get(tl.globalRanges.name.get(index));
    case Tag.Task:
      return tl.strings.get(tl.tasks.name.get(index));
    case Tag.Region:
      return tl.strings.get(tl.regions.name.get(index));
    default:
      return "";
  }
}
