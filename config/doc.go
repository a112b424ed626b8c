// Package config reads supervisord.conf files, the ones people already have
// for Python's supervisord, into typed settings for the supervisor package.
//
// Load (or Parse, for text in memory) accepts exactly the files supervisord
// 4.2.5 accepts and gives them the same meaning: the same INI dialect, the
// same defaults, the same %(name)s expansions and the same error messages.
// It returns a complete *Config or an *Error, never part of a config.
//
//	cfg, err := config.Load("/etc/supervisor/supervisord.conf")
//	if err != nil {
//		var ce *config.Error
//		if errors.As(err, &ce) {
//			fmt.Fprintf(os.Stderr, "Error: %s\n", ce.Msg) // supervisord's words
//		}
//		os.Exit(2)
//	}
//	for _, spec := range cfg.Programs { ... } // supervisor.ProgramSpec values
//
// # What it reads
//
// [supervisord] into Config.Supervisord; each [program:x] into a
// supervisor.ProgramSpec (with Group and GroupPriority for members of a
// [group:x]); [unix_http_server] and [inet_http_server] (and sections whose
// names start so) into Config.HTTPServers; [supervisorctl];
// [rpcinterface:x]; and [include], whose glob patterns are relative to the
// main file and whose files see their own directory as %(here)s.
// [eventlistener:x] and [fcgi-program:x] are read and checked like
// supervisord does and returned apart, in Config.EventListeners and
// Config.FCGIPrograms: a listener pool runs as its ProgramSpec plus an
// eventlistener.PoolConfig (see package eventlistener); the supervisor
// package cannot run fcgi programs yet, and a daemon must say it ignores
// them. Find and SearchPaths implement
// supervisord's search for a config file when none is given. Sample returns
// an annotated config documenting every key.
//
// Per-process values stay templates: ProgramSpec.Command, ProcessName,
// Directory, Environment values and log file names keep their
// %(process_num)02d and the like, and the supervisor package expands them
// for each process with pyfmt.Expand. ProgramSpec.Vars carries the
// names only the loader knows: "here" and ENV_X for every variable of the
// environment (overridden by [supervisord] environment=). Load expands every
// template for every process (the first 1000 when numprocs is larger) so
// that mistakes fail at load time, as they do in supervisord. Keys read once
// per section (priority, numprocs, autostart...) are expanded and converted
// here.
//
// # The INI dialect, and go-ini
//
// supervisord reads its files with Python 3's RawConfigParser with inline
// comment prefixes ';' and '#' and strict=False. This package stores
// sections and keys in a go-ini (gopkg.in/ini.v1) File, configured so that it
// never interpolates %(x)s itself (values are only read with Key.Value) and
// keeps values raw. But the text is read by a small reader of this package,
// not by go-ini's parser, because go-ini's rules differ from Python's in
// ways that change what a file means:
//
//   - Inline comments: a ';' or '#' starts a comment only at the start of a
//     line or after whitespace, found by Python's round-by-round search
//     ("a=b;c" is "b;c", "a=b ;c" is "b", and "a;b ;c # d" is "a;b ;c").
//   - Continuation lines: a line indented deeper than the key's line
//     continues the value, joined with "\n"; blank lines inside are kept,
//     trailing ones dropped. go-ini also joins lines ending in '\' and reads
//     values starting with """ or ` as quoted, which Python does not.
//   - [DEFAULT] supplies keys to every section (Python's default section).
//   - Section names are case-sensitive, keys are lower-cased, duplicate
//     sections merge and the last value of a key wins, also across included
//     files.
//   - Errors carry Python's texts ("File contains no section headers...",
//     "Source contains parsing errors...") and line numbers, which go-ini
//     does not report.
//
// # Errors
//
// Every error is an *Error. Its Msg is supervisord's message, byte for byte
// (the package's differential test runs Debian's supervisord on the same
// files and compares), and its File, Line, Section and Key fields say where
// the mistake is; Error() puts them in front of the message.
//
// # Extension keys
//
// Settings supervisord does not have start with ExtPrefix ("x_"), such as
// x_backoff=exponential; ExtKeys lists those of the program sections,
// SupervisordExtKeys those of [supervisord] (x_subreaper,
// x_environment_file), HTTPServerExtKeys those of the HTTP server sections
// (x_metrics, which serves Prometheus metrics at /metrics). supervisord
// ignores them, so a file using them still
// works there. x_environment_file names files of NAME=VALUE lines read at
// every spawn (supervisor.ProgramSpec.EnvironmentFiles); their errors show
// at the spawn, not at load. x_rlimit_NAME = SOFT[:HARD] sets a resource
// limit (supervisor.ProgramSpec.Rlimits); a malformed or negative value is
// refused at load, one the kernel refuses fails the spawn. An x_ key that is
// not known is an error (a misspelling must not silently mean the default);
// other unknown keys are ignored, as supervisord ignores them.
//
// # Where this package differs from supervisord
//
//   - Integers beyond ±2^31 are refused (Python's are unbounded).
//   - A [program:x] umask outside 0..0777 is refused (supervisord fails when
//     it spawns the process).
//   - [rpcinterface:x] accepts only supervisord's own factory, and
//     result_handler only the default: there is no Python to import others.
//   - A program listed by several [group:x] sections appears once per group.
//   - Errors in [supervisorctl], which supervisord does not read, become
//     warnings; LoadCtl applies supervisorctl's rules.
//   - environment= is tokenised as supervisord's shlex does: only ASCII
//     letters, digits and _/.+-(): are word characters; quote other values.
package config
