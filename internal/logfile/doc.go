// Package logfile is supervisord's log files: a rotating file writer
// (maxbytes, backups, supervisord's rotation order), reads of a log by
// offset with supervisord's readLog and tailLog rules, and the names of
// AUTO child logs. The supervisor writes child logs with it; the daemon
// writes its main log with it and serves both over XML-RPC.
//
// It is ours rather than a rotation library (lumberjack and the like)
// because supervisord's rules are exact and user-visible: rotation at
// exactly maxbytes into name.1 ... name.N, backups=0 truncating in place,
// AUTO names with their random suffix, and the offset arithmetic of
// readProcessLog and tailProcessLog that supervisorctl tail depends on.
package logfile

import "errors"

// Errors of the reads, matched with errors.Is. The supervisor package
// exports the same values as its ErrNoFile, ErrBadArguments and ErrFailed.
var (
	// ErrNoFile: there is no log file, or it does not exist yet.
	ErrNoFile = errors.New("no such file")
	// ErrBadArguments: the offset and length make no sense together.
	ErrBadArguments = errors.New("bad arguments")
	// ErrFailed: the file exists but cannot be read.
	ErrFailed = errors.New("failed")
)
