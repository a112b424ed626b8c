package config

// Converters for values given outside a config file, such as supervisord's
// command-line options, with the same rules and messages as the keys they
// override (spec 1.4). Each error's text is supervisord's.

// ParseInt reads an integer as Python's int() does.
func ParseInt(s string) (int, error) { return pyInt(s) }

// ParseByteSize reads a byte size such as "50MB", "1kb" or "1024".
func ParseByteSize(s string) (int64, error) { return byteSize(s) }

// ParseLogLevel reads a log level name and returns it lower-cased.
func ParseLogLevel(s string) (string, error) { return logLevel(s) }

// ParseExistingDirectory expands "~" and requires a directory.
func ParseExistingDirectory(s string) (string, error) { return existingDirectory(s) }

// ParseExistingDirpath expands "~" and requires the file's directory to
// exist.
func ParseExistingDirpath(s string) (string, error) { return existingDirpath(s) }

// ParseOctal reads an octal number as Python's int(s, 8) does (a umask).
func ParseOctal(s string) (int64, error) { return octal(s) }
