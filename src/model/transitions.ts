/**
 * Goroutine state transitions read straight from an event's fields for
 * the six kinds that make up nearly all of them (GoStart, GoStop, GoBlock,
 * GoUnblock, GoSyscallBegin, GoSyscallEnd: 27M of 35M events in a big
 * trace), into one reused object. Event.stateTransition() allocates three
 * objects per call, which cost more than a second of garbage collection
 * there. Every other kind goes through stateTransition(), whose meaning
 * this mirrors exactly.
 */

import { type Event, GoState } from "../decode/event.js";
import { Ev, specs } from "../format/v2/spec.js";

/** Argument index of each event type's own stack, −1 if it has none (from the spec table). */
const stackArg = new Int8Array(256).fill(-1);
for (let t = 0; t < 256; t++) {
  const s = specs[t];
  if (s && s.stackIDs.length > 0) stackArg[t] = s.stackIDs[0]! - 1;
}

/** The generation-local ID of an event's own stack (0 for none). */
export function ownStackID(ev: Event): number {
  const k = stackArg[ev.type]!;
  return k < 0 ? 0 : ev.arg(k);
}

export class Transition {
  goroutine = 0;
  from: GoState = GoState.Undetermined;
  to: GoState = GoState.Undetermined;
  reason = "";
  /** Generation-local ID of the stack the transition carries (Go's StateTransition.Stack), 0 for none. */
  stackID = 0;

  /** Reads goroutine transition `ev` into this object. */
  read(ev: Event): this {
    switch (ev.type) {
      case Ev.GoStart:
        return this.set(ev.a0, GoState.Runnable, GoState.Running, "", 0);
      case Ev.GoStop:
        return this.set(ev.g, GoState.Running, GoState.Runnable, ev.str(ev.a0), ownStackID(ev));
      case Ev.GoBlock:
        return this.set(ev.g, GoState.Running, GoState.Waiting, ev.str(ev.a0), ownStackID(ev));
      case Ev.GoUnblock:
        return this.set(ev.a0, GoState.Waiting, GoState.Runnable, "", 0);
      case Ev.GoSyscallBegin:
        return this.set(ev.g, GoState.Running, GoState.Syscall, "", ownStackID(ev));
      case Ev.GoSyscallEnd:
        return this.set(ev.g, GoState.Syscall, GoState.Running, "", 0);
    }
    const st = ev.stateTransition();
    return this.set(st.resource.id, st.from, st.to, st.reason, st.stack.table === ev.table ? st.stack.id : 0);
  }

  private set(goroutine: number, from: GoState, to: GoState, reason: string, stackID: number): this {
    this.goroutine = goroutine;
    this.from = from;
    this.to = to;
    this.reason = reason;
    this.stackID = stackID;
    return this;
  }
}
