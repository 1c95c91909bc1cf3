/**
 * Test support: a trace built by hand to show, in 100 ms on one P, what
 * the task/region summary and the MMU must get right:
 *
 * - task 1 "job" (10–150 ns) with a log and region "outer" (20–50 ns), in
 *   which goroutine 1 creates goroutine 5 (main.worker, 30 ns), which
 *   inherits task 1 and runs region "inner" until it exits (100–110 ns), and
 *   goroutine 6 (a runtime goroutine, 40 ns), which inherits it too but as a
 *   system goroutine owns no regions;
 * - an end of region "orphan" (task 7, 60 ns) whose begin is not traced;
 * - region "open" (task 0, 160 ns) never ended;
 * - a 1 ms stop-the-world for GC at 50 ms, the only GC;
 * - times far from 0: the trace starts at 1000 s, absolute.
 *
 * Times above are relative to the trace start.
 */
export const annotatedTraceText = `Trace Go1.22
EventBatch gen=1 m=0 time=1000000000000 size=0
ProcStatus dt=1 p=0 pstatus=1
GoStatus dt=1 g=1 m=0 gstatus=2
ProcsChange dt=1 procs_value=1 stack=0
UserTaskBegin dt=7 task=1 parent_task=18446744073709551615 name_string=7 stack=1
UserRegionBegin dt=10 task=1 name_string=1 stack=1
GoCreate dt=10 new_g=5 new_stack=2 stack=1
GoCreate dt=10 new_g=6 new_stack=3 stack=1
UserRegionEnd dt=10 task=1 name_string=1 stack=1
UserRegionEnd dt=10 task=7 name_string=2 stack=1
UserLog dt=10 task=1 key_string=3 value_string=4 stack=1
GoStop dt=10 reason_string=5 stack=1
GoStart dt=10 g=5 g_seq=1
UserRegionBegin dt=10 task=1 name_string=6 stack=2
GoDestroy dt=10
GoStart dt=10 g=6 g_seq=1
GoDestroy dt=10
GoStart dt=10 g=1 g_seq=1
UserTaskEnd dt=10 task=1 stack=1
UserRegionBegin dt=10 task=0 name_string=8 stack=1
STWBegin dt=49999840 kind_string=13 stack=0
STWEnd dt=1000000
GoStop dt=49000000 reason_string=5 stack=0
EventBatch gen=1 m=18446744073709551615 time=1000000000000 size=0
Frequency freq=1000000000
EventBatch gen=1 m=18446744073709551615 time=1000000000000 size=0
Stacks
Stack id=1 nframes=1
	pc=100 func=9 file=10 line=10
Stack id=2 nframes=1
	pc=200 func=11 file=10 line=20
Stack id=3 nframes=1
	pc=300 func=12 file=10 line=30
EventBatch gen=1 m=18446744073709551615 time=1000000000000 size=0
Strings
String id=1
	data="outer"
String id=2
	data="orphan"
String id=3
	data="cat"
String id=4
	data="msg"
String id=5
	data="preempted"
String id=6
	data="inner"
String id=7
	data="job"
String id=8
	data="open"
String id=9
	data="main.main"
String id=10
	data="main.go"
String id=11
	data="main.worker"
String id=12
	data="runtime.gcBgMarkWorker"
String id=13
	data="GC mark termination"
`;
