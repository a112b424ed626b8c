// Package supervisor runs and watches child processes the way Python's
// supervisord does, as a library that any Go program can embed.
//
// [Supervisor.Add] turns a [ProgramSpec] into a [Program] of NumProcs
// [Process] handles. Each process is supervisord's state machine, driven by
// a goroutine of its own; its changes reach the embedding program as
// [Event] values on [Supervisor.Subscribe]'s channels. [Supervisor.Serve]
// starts the programs in priority order and stops them in reverse when its
// context ends. The timing is supervisord 4.2.5's (see ProgramSpec); the
// restart package has other policies, and supervisortest a clock that
// makes them testable without sleeping.
//
// This package reads no configuration files and serves no network API: the
// config package turns a supervisord.conf into ProgramSpecs, and the
// daemon gosupervisord adds supervisord's XML-RPC interface on top.
//
// # Platforms
//
// Linux is the first-class target; macOS and FreeBSD builds are checked
// too (Windows is not supported). On Linux only, children get SIGKILL when
// the supervisor dies, their exits arrive through pidfds (or SIGCHLD, when
// descriptors run short) without a thread each, and each child's umask is
// its own; elsewhere children outlive a
// supervisor killed with SIGKILL, each holds a waiting thread, and umasks
// are set process-wide around forks.
package supervisor
