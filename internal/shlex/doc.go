// Package shlex splits a command line into words the way supervisord does
// before it runs a program: Python's shlex.split in POSIX mode, without
// comments.
//
// It understands single quotes (everything literal up to the next '), double
// quotes (literal except that \" and \\ stand for " and \), and backslash
// outside quotes (the next character, newline included, is taken literally).
// Words are separated by runs of space, tab, carriage return and newline.
//
// It is not a shell: it expands no variables, globs or ~, treats # as an
// ordinary character, and knows no operators such as ; | > or &&. Inside
// double quotes a backslash before anything but " or \ is kept, so "\$x"
// stays \$x (Python's shlex, unlike sh, does not special-case $, ` or
// newline there).
package shlex
