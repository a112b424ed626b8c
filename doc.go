// Package supervisor runs and watches child processes the way Python's
// supervisord does, as a library that any Go program can embed.
//
// A [Supervisor] owns groups of programs. Each [ProgramSpec] expands into
// NumProcs processes named from its ProcessName template; each process is a
// small state machine (STOPPED, STARTING, RUNNING, BACKOFF, STOPPING, EXITED,
// FATAL, UNKNOWN, with supervisord's numeric codes) driven by one goroutine
// that reacts only to its child's exit, its own timers and requests. State
// changes reach the embedding program as [Event] values on channels returned
// by [Supervisor.Subscribe].
//
// The lifecycle matches supervisord 4.2.5: a start is successful once the
// child has stayed up for StartSecs; a child that dies sooner is retried after
// 1, 2, 3... seconds and declared FATAL after StartRetries failures; a stop
// sends StopSignal and escalates to SIGKILL every StopWaitSecs. Other restart
// policies (exponential backoff, a restart-intensity limit) are opt-in.
//
// This package reads no configuration files and serves no network API: the
// config package turns a supervisord.conf into ProgramSpecs, and the example
// daemon gosupervisord adds supervisord's XML-RPC interface on top.
//
// # Platforms
//
// Linux is the first-class target, where the tests run; macOS and FreeBSD
// builds are checked too (Windows is not supported: the package does not
// build there). Everywhere, each child leads its own process group (so a
// group stop reaches its descendants) and runs with the configured user,
// directory, environment and umask, and signal names are read by the
// system's numbers. On Linux only, children get SIGKILL as their
// parent-death signal, so none outlives a supervisor killed with SIGKILL;
// their exits arrive through pidfds in Go's netpoller, costing no thread per
// child; and a child's umask is set on the thread that forks it. Elsewhere a
// supervisor that dies without stopping its children leaves them running,
// each running child holds a thread blocked waiting for its exit, and a
// program's umask is set for the whole process while its child forks (see
// internal/sys for the details).
package supervisor
