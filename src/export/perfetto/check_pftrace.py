"""Reads a Perfetto trace with Perfetto's own protobuf bindings (the PyPI
`perfetto` package) and prints what it holds as JSON, for the export tests
to compare with gotrace's model. Usage: python check_pftrace.py FILE

Each packet is parsed on its own (a Trace is a sequence of field-1
length-delimited TracePackets), so a bad one is named by its byte offset.
Besides the facts, "problems" lists every rule of the format broken:
a packet that does not parse, an interning ID used before it was defined,
an event on a track never described, slices that do not nest on their
track, a flow that does not go from one slice to another.

Packets inside `compressed_packets` (a zlib or gzip stream of packets, as
Perfetto's trace processor inflates it) are read in their place, and
counted as packets; the wrappers are not. Timestamps are made absolute
as the trace processor does: a packet's clock is its timestamp_clock_id,
or else its sequence's TracePacketDefaults'; on a clock a ClockSnapshot
declared incremental, the timestamp (read as a signed 64-bit integer) is
added to the clock's previous value; a clock is turned into trace time
(BOOTTIME) by the offset of the snapshot.
"""

import json
import sys
import zlib

from perfetto.protos.perfetto.trace import perfetto_trace_pb2 as pb

TE = pb.TrackEvent


def varint(buf, pos):
    result = 0
    shift = 0
    while True:
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, pos
        shift += 7


def packets(buf):
    pos = 0
    while pos < len(buf):
        start = pos
        key, pos = varint(buf, pos)
        if key != (1 << 3 | 2):
            raise ValueError(f"byte {start}: not a Trace.packet field (key {key})")
        n, pos = varint(buf, pos)
        if pos + n > len(buf):
            raise ValueError(f"byte {start}: packet runs past the end")
        yield start, buf[pos : pos + n]
        pos += n


def all_packets(buf, problem):
    """Each packet, with the packets of compressed_packets in their place."""
    for offset, data in packets(buf):
        p = pb.TracePacket()
        try:
            p.ParseFromString(data)
        except Exception as e:  # noqa: BLE001 - any parse failure is a finding
            problem(f"byte {offset}: packet does not parse: {e}")
            continue
        if p.HasField("compressed_packets"):
            try:
                inner = zlib.decompress(p.compressed_packets, 32 + zlib.MAX_WBITS)
            except zlib.error as e:
                problem(f"byte {offset}: compressed packets do not inflate: {e}")
                continue
            try:
                for at, q in all_packets(inner, problem):
                    yield f"{offset}+{at}", q
            except ValueError as e:
                problem(f"byte {offset}: inside compressed packets: {e}")
            continue
        yield offset, p


def main(path):
    with open(path, "rb") as f:
        buf = f.read()
    problems = []
    tracks = {}
    names, functions, paths, frames, stacks = {}, set(), set(), set(), set()
    cleared = False
    # Per track: open slice starts (a stack), counts, durations by slice name.
    open_slices = {}
    last_ts = {}
    flows_out, flows_in = {}, {}
    count = 0
    with_stack = 0

    def problem(msg):
        if len(problems) < 50:
            problems.append(msg)

    # Clock ID -> [incremental?, its value at the snapshot, BOOTTIME then, its last value].
    clocks = {}
    default_clock = 0
    boottime = 6

    def absolute(offset, p):
        clock = p.timestamp_clock_id or default_clock
        if clock == 0 or clock == boottime:
            return p.timestamp
        c = clocks.get(clock)
        if c is None:
            problem(f"byte {offset}: timestamp on clock {clock}, never in a snapshot")
            return p.timestamp
        if c[0]:
            delta = p.timestamp - (1 << 64) if p.timestamp >= 1 << 63 else p.timestamp
            c[3] += delta
            return c[3] - c[1] + c[2]
        return p.timestamp - c[1] + c[2]

    for offset, p in all_packets(buf, problem):
        count += 1
        if p.trusted_packet_sequence_id != 1:
            problem(f"byte {offset}: sequence {p.trusted_packet_sequence_id}")
        if p.incremental_state_cleared or p.sequence_flags & 1:
            cleared = True
        if p.HasField("trace_packet_defaults"):
            default_clock = p.trace_packet_defaults.timestamp_clock_id
        if p.HasField("clock_snapshot"):
            snap = {c.clock_id: c for c in p.clock_snapshot.clocks}
            if boottime not in snap:
                problem(f"byte {offset}: a clock snapshot without BOOTTIME")
                continue
            for c in p.clock_snapshot.clocks:
                if c.clock_id == boottime:
                    continue
                if c.is_incremental and not 64 <= c.clock_id < 128:
                    problem(f"byte {offset}: incremental clock {c.clock_id} not sequence-scoped")
                if c.clock_id in clocks and c.timestamp < clocks[c.clock_id][1]:
                    problem(f"byte {offset}: clock {c.clock_id} goes back in a snapshot")
                clocks[c.clock_id] = [c.is_incremental, c.timestamp, snap[boottime].timestamp, c.timestamp]
            continue
        if p.HasField("interned_data"):
            d = p.interned_data
            for x in d.event_names:
                names[x.iid] = x.name
            functions.update(x.iid for x in d.function_names)
            paths.update(x.iid for x in d.source_paths)
            for fr in d.frames:
                if fr.function_name_id not in functions:
                    problem(f"byte {offset}: frame {fr.iid} names function {fr.function_name_id}, never interned")
                if fr.source_path_iid and fr.source_path_iid not in paths:
                    problem(f"byte {offset}: frame {fr.iid} has path {fr.source_path_iid}, never interned")
                frames.add(fr.iid)
            for cs in d.callstacks:
                for fid in cs.frame_ids:
                    if fid not in frames:
                        problem(f"byte {offset}: callstack {cs.iid} has frame {fid}, never interned")
                stacks.add(cs.iid)
        if p.HasField("track_descriptor"):
            t = p.track_descriptor
            kind = "process" if t.HasField("process") else "thread" if t.HasField("thread") else "counter" if t.HasField("counter") else "track"
            name = t.process.process_name if kind == "process" else t.thread.thread_name if kind == "thread" else t.name
            if t.uuid in tracks:
                problem(f"byte {offset}: track {t.uuid} described twice")
            if t.parent_uuid and t.parent_uuid not in tracks:
                problem(f"byte {offset}: track {t.uuid}'s parent {t.parent_uuid} not described before it")
            tracks[t.uuid] = {
                "uuid": t.uuid,
                "kind": kind,
                "name": name,
                "parent": t.parent_uuid,
                "tid": t.thread.tid if kind == "thread" else None,
                "slices": 0,
                "startSum": 0,
                "instants": 0,
                "counters": 0,
                "byName": {},
            }
            open_slices[t.uuid] = []
            last_ts[t.uuid] = 0
            continue
        if not p.HasField("track_event"):
            problem(f"byte {offset}: neither a track descriptor nor a track event")
            continue
        ev = p.track_event
        if not cleared:
            problem(f"byte {offset}: event before the incremental state was cleared")
        uses_interning = ev.HasField("name_iid") or ev.HasField("callstack_iid") or p.HasField("interned_data")
        if uses_interning and not p.sequence_flags & 2:
            problem(f"byte {offset}: interned data used without SEQ_NEEDS_INCREMENTAL_STATE")
        track = tracks.get(ev.track_uuid)
        if track is None:
            problem(f"byte {offset}: event on undescribed track {ev.track_uuid}")
            continue
        ts = absolute(offset, p)
        if ts < last_ts[ev.track_uuid]:
            problem(f"byte {offset}: time goes back on track {track['name']}")
        last_ts[ev.track_uuid] = ts
        if ev.HasField("name_iid") and ev.name_iid not in names:
            problem(f"byte {offset}: name {ev.name_iid} never interned")
        if ev.HasField("callstack_iid"):
            if ev.callstack_iid not in stacks:
                problem(f"byte {offset}: callstack {ev.callstack_iid} never interned")
            with_stack += 1
        stack = open_slices[ev.track_uuid]
        if ev.type == TE.TYPE_SLICE_BEGIN:
            name = names.get(ev.name_iid, "")
            stack.append((ts, name))
            track["slices"] += 1
            track["startSum"] += ts
            for f in ev.flow_ids:
                flows_out.setdefault(f, []).append((ev.track_uuid, ts))
            for f in ev.terminating_flow_ids:
                flows_in.setdefault(f, []).append((ev.track_uuid, ts))
        elif ev.type == TE.TYPE_SLICE_END:
            if not stack:
                problem(f"byte {offset}: slice end with no slice open on {track['name']}")
                continue
            start, name = stack.pop()
            entry = track["byName"].setdefault(name, [0, 0])
            entry[0] += 1
            entry[1] += ts - start
        elif ev.type == TE.TYPE_INSTANT:
            track["instants"] += 1
            if ev.flow_ids or ev.terminating_flow_ids:
                problem(f"byte {offset}: flow on an instant")
        elif ev.type == TE.TYPE_COUNTER:
            if track["kind"] != "counter":
                problem(f"byte {offset}: counter value on {track['name']}")
            track["counters"] += 1
        else:
            problem(f"byte {offset}: event type {ev.type}")
    for uuid, stack in open_slices.items():
        if stack:
            problem(f"{len(stack)} slices left open on {tracks[uuid]['name']}")
    flows = 0
    for fid in set(flows_out) | set(flows_in):
        out, into = flows_out.get(fid, []), flows_in.get(fid, [])
        if len(out) != 1 or len(into) != 1:
            problem(f"flow {fid}: {len(out)} starts and {len(into)} ends")
            continue
        if out[0][1] >= into[0][1]:
            problem(f"flow {fid}: ends at {into[0][1]}, not after it starts at {out[0][1]}")
        flows += 1
    json.dump(
        {
            "packets": count,
            "bytes": len(buf),
            "tracks": list(tracks.values()),
            "flows": flows,
            "slicesWithStacks": with_stack,
            "callstacks": len(stacks),
            "problems": problems,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main(sys.argv[1])
