package daemon

import (
	"fmt"
	"os"
	"os/user"
	"strconv"
	"syscall"

	"github.com/supervise-go/supervisor/internal/pyrepr"
	"golang.org/x/sys/unix"
)

// raiseLimits raises the soft RLIMIT_NOFILE and RLIMIT_NPROC to minfds and
// minprocs when lower (spec 5.1 step 4), with supervisord's messages.
func raiseLimits(minfds, minprocs int) ([]string, error) {
	var msgs []string
	for _, l := range []struct {
		res  int
		name string
		min  int
		fail string
	}{
		{syscall.RLIMIT_NOFILE, "RLIMIT_NOFILE", minfds, `The minimum number of file descriptors required to run this process is %d as per the "minfds" command-line argument or config file setting. The current environment will only allow you to open %d file descriptors.  Either raise the number of usable file descriptors in your environment (see README.rst) or lower the minfds setting in the config file to allow the process to start.`},
		{unix.RLIMIT_NPROC, "RLIMIT_NPROC", minprocs, `The minimum number of available processes required to run this program is %d as per the "minprocs" command-line argument or config file setting. The current environment will only allow you to open %d processes.  Either raise the number of usable processes in your environment (see README.rst) or lower the minprocs setting in the config file to allow the program to start.`},
	} {
		var r syscall.Rlimit
		if err := syscall.Getrlimit(l.res, &r); err != nil {
			continue
		}
		const infinity = uint64(unix.RLIM_INFINITY)
		if uint64(r.Cur) == infinity || uint64(r.Cur) >= uint64(l.min) {
			continue
		}
		want := r
		setRlim(&want.Cur, uint64(l.min))
		if uint64(r.Max) != infinity && uint64(r.Max) < uint64(l.min) {
			setRlim(&want.Max, uint64(l.min))
		}
		if err := syscall.Setrlimit(l.res, &want); err != nil {
			return nil, fmt.Errorf(l.fail, l.min, r.Cur)
		}
		msgs = append(msgs, fmt.Sprintf("Increased %s limit to %d", l.name, l.min))
	}
	return msgs, nil
}

// setRlim sets a field of a syscall.Rlimit, an int64 on FreeBSD and a
// uint64 elsewhere.
func setRlim[T int64 | uint64](field *T, v uint64) { *field = T(v) }

// dropPrivileges switches the daemon to the user (name or uid), as
// supervisord's [supervisord] user does. It returns the message to log.
func dropPrivileges(name string) (string, error) {
	var u *user.User
	var err error
	if _, nerr := strconv.Atoi(name); nerr == nil {
		if u, err = user.LookupId(name); err != nil {
			return "", fmt.Errorf("Can't find uid %s", name)
		}
	} else if u, err = user.Lookup(name); err != nil {
		return "", fmt.Errorf("Can't find username %s", pyrepr.Repr(name))
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if uid == os.Getuid() {
		return "", nil
	}
	if os.Getuid() != 0 {
		return "", fmt.Errorf("Can't drop privilege as nonroot user")
	}
	groups := []int{gid}
	if ids, err := u.GroupIds(); err == nil {
		for _, g := range ids {
			if n, err := strconv.Atoi(g); err == nil && n != gid {
				groups = append(groups, n)
			}
		}
	}
	if err := syscall.Setgroups(groups); err != nil {
		return "", fmt.Errorf("Could not set groups of effective user")
	}
	if err := syscall.Setgid(gid); err != nil {
		return "", fmt.Errorf("Could not set group id of effective user")
	}
	if err := syscall.Setuid(uid); err != nil {
		return "", fmt.Errorf("Could not set user id of effective user")
	}
	return fmt.Sprintf("Set uid to user %d succeeded", uid), nil
}
