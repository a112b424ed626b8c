package trampoline

import (
	"runtime"
	"syscall"
	"unsafe"
)

// EnvVar marks a trampoline. Its value is "STATUSFD;RES=CUR:MAX,...;CRED":
// the fd to report a failure on, the limits by resource number, and the
// user to switch to, "UID:GID:SETGROUPS:G1,G2..." (SETGROUPS is true or
// false) or empty. The trampoline's argv is a name, the command's path
// and the command's argv. EnvVar is removed from the command's
// environment.
const EnvVar = "_GOSUPERVISOR_TRAMPOLINE"

// What a failure report (8 bytes: a phase as int32, then an errno as
// uint32, native order) says failed, besides the index of a limit: the
// user switch, or the exec. A successful exec closes the status fd
// without a report.
const (
	PhaseCredential = -1
	PhaseExec       = -2
)

func init() {
	v, ok := syscall.Getenv(EnvVar)
	if !ok {
		return
	}
	// Never for a set-user-ID or set-group-ID run of the program: the
	// marker would let any user exec a command with its privilege.
	if syscall.Getuid() != syscall.Geteuid() || syscall.Getgid() != syscall.Getegid() {
		return
	}
	syscall.Exit(run(v))
}

// run sets the limits, switches user and execs the command. It returns
// only if something failed (reported on the status fd), with the exit
// status.
func run(v string) int {
	runtime.LockOSThread() // the user switch below is this thread's only
	fields := split(v, ';')
	if len(fields) != 3 {
		return 127
	}
	statusFD, ok := atoi(fields[0])
	if !ok {
		return 127
	}
	report := func(phase int, err error) int {
		errno, ok := err.(syscall.Errno)
		if !ok {
			errno = syscall.EINVAL
		}
		var buf [8]byte
		*(*int32)(unsafe.Pointer(&buf[0])) = int32(phase)
		*(*uint32)(unsafe.Pointer(&buf[4])) = uint32(errno)
		_, _ = syscall.Write(statusFD, buf[:])
		return 127
	}
	syscall.CloseOnExec(statusFD)
	argv, err := cmdline()
	if err != nil || len(argv) < 3 {
		return report(PhaseExec, syscall.EINVAL)
	}
	ppid := syscall.Getppid()
	if fields[1] != "" {
		for i, item := range split(fields[1], ',') {
			res, lim, ok := parseLimit(item)
			if !ok {
				return report(i, syscall.EINVAL)
			}
			// syscall.Setrlimit also keeps Go's runtime from putting
			// back, at exec, the soft nofile limit it found at start.
			if err := syscall.Setrlimit(res, &lim); err != nil {
				return report(i, err)
			}
		}
	}
	if fields[2] != "" {
		if err := switchUser(fields[2]); err != nil {
			return report(PhaseCredential, err)
		}
		// A user switch clears the parent-death signal.
		const prSetPdeathsig = 1
		if _, _, e := syscall.RawSyscall(syscall.SYS_PRCTL, prSetPdeathsig, uintptr(syscall.SIGKILL), 0); e != 0 {
			return report(PhaseCredential, e)
		}
		if syscall.Getppid() != ppid {
			return 127 // the supervisor died meanwhile
		}
	}
	var env []string
	for _, kv := range syscall.Environ() {
		if len(kv) <= len(EnvVar) || kv[:len(EnvVar)+1] != EnvVar+"=" {
			env = append(env, kv)
		}
	}
	return report(PhaseExec, syscall.Exec(argv[1], argv[2:], env))
}

// cmdline reads this process's argv (package os, which has it, is not
// imported: see the package doc).
func cmdline() ([]string, error) {
	fd, err := syscall.Open("/proc/self/cmdline", syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer syscall.Close(fd)
	var data []byte
	buf := make([]byte, 4096)
	for {
		n, err := syscall.Read(fd, buf)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, err
		}
		if n == 0 {
			break
		}
		data = append(data, buf[:n]...)
	}
	if len(data) > 0 && data[len(data)-1] == 0 {
		data = data[:len(data)-1]
	}
	return split(string(data), 0), nil
}

// parseLimit reads "RES=CUR:MAX".
func parseLimit(item string) (int, syscall.Rlimit, bool) {
	kv := split(item, '=')
	if len(kv) != 2 {
		return 0, syscall.Rlimit{}, false
	}
	vals := split(kv[1], ':')
	res, ok1 := atoi(kv[0])
	if len(vals) != 2 || !ok1 {
		return 0, syscall.Rlimit{}, false
	}
	cur, ok2 := atou(vals[0])
	max, ok3 := atou(vals[1])
	return res, syscall.Rlimit{Cur: cur, Max: max}, ok2 && ok3
}

// switchUser sets the groups, gid and uid of the calling thread only, as
// syscall.ForkExec does in a child ("UID:GID:SETGROUPS:G1,G2..."). The
// trampoline's other threads keep theirs; the exec ends them.
func switchUser(spec string) error {
	f := split(spec, ':')
	if len(f) != 4 {
		return syscall.EINVAL
	}
	uid, ok1 := atou(f[0])
	gid, ok2 := atou(f[1])
	if !ok1 || !ok2 {
		return syscall.EINVAL
	}
	if f[2] == "true" {
		var groups []uint32
		if f[3] != "" {
			for _, g := range split(f[3], ',') {
				n, ok := atou(g)
				if !ok {
					return syscall.EINVAL
				}
				groups = append(groups, uint32(n))
			}
		}
		var ptr unsafe.Pointer
		if len(groups) > 0 {
			ptr = unsafe.Pointer(&groups[0])
		}
		if _, _, e := syscall.RawSyscall(syscall.SYS_SETGROUPS, uintptr(len(groups)), uintptr(ptr), 0); e != 0 {
			return e
		}
	}
	if _, _, e := syscall.RawSyscall(syscall.SYS_SETGID, uintptr(gid), 0, 0); e != 0 {
		return e
	}
	if _, _, e := syscall.RawSyscall(syscall.SYS_SETUID, uintptr(uid), 0, 0); e != 0 {
		return e
	}
	return nil
}

func split(s string, sep byte) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == sep {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

func atou(s string) (uint64, bool) {
	if s == "" || len(s) > 20 {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		d := s[i] - '0'
		if d > 9 {
			return 0, false
		}
		if n > (^uint64(0)-uint64(d))/10 {
			return 0, false // overflow
		}
		n = n*10 + uint64(d)
	}
	return n, true
}

func atoi(s string) (int, bool) {
	n, ok := atou(s)
	return int(n), ok && n <= 1<<31-1
}
