package main

// Help texts, line by line, as supervisorctl prints them.
var (
	helpStatus = []string{
		"status <name>\t\tGet status for a single process",
		"status <gname>:*\tGet status for all processes in a group",
		"status <name> <name>\tGet status for multiple named processes",
		"status\t\t\tGet all process status info",
	}
	helpPid = []string{
		"pid\t\t\tGet the PID of supervisord.",
		"pid <name>\t\tGet the PID of a single child process by name.",
		"pid all\t\t\tGet the PID of every child process, one per line.",
	}
	helpStart = []string{
		"start <name>\t\tStart a process",
		"start <gname>:*\t\tStart all processes in a group",
		"start <name> <name>\tStart multiple processes or groups",
		"start all\t\tStart all processes",
	}
	helpStop = []string{
		"stop <name>\t\tStop a process",
		"stop <gname>:*\t\tStop all processes in a group",
		"stop <name> <name>\tStop multiple processes or groups",
		"stop all\t\tStop all processes",
	}
	helpSignal = []string{
		"signal <signal name> <name>\t\tSignal a process",
		"signal <signal name> <gname>:*\t\tSignal all processes in a group",
		"signal <signal name> <name> <name>\tSignal multiple processes or groups",
		"signal <signal name> all\t\tSignal all processes",
	}
	helpRestart = []string{
		"restart <name>\t\tRestart a process",
		"restart <gname>:*\tRestart all processes in a group",
		"restart <name> <name>\tRestart multiple processes or groups",
		"restart all\t\tRestart all processes",
		"Note: restart does not reread config files. For that, see reread and update.",
	}
	helpShutdown = []string{"shutdown \tShut the remote supervisord down."}
	helpReload   = []string{"reload \t\tRestart the remote supervisord."}
	helpAvail    = []string{"avail\t\t\tDisplay all configured processes"}
	helpReread   = []string{"reread \t\t\tReload the daemon's configuration files without add/remove"}
	helpAdd      = []string{"add <name> [...]\tActivates any updates in config for process/group"}
	helpRemove   = []string{"remove <name> [...]\tRemoves process/group from active config"}
	helpUpdate   = []string{
		"update\t\t\tReload config and add/remove as necessary, and will restart affected programs",
		"update all\t\tReload config and add/remove as necessary, and will restart affected programs",
		"update <gname> [...]\tUpdate specific groups",
	}
	helpClear = []string{
		"clear <name>\t\tClear a process' log files.",
		"clear <name> <name>\tClear multiple process' log files",
		"clear all\t\tClear all process' log files",
	}
	helpOpen = []string{
		"open <url>\tConnect to a remote supervisord process.",
		"\t\t(for UNIX domain socket, use unix:///socket/path)",
	}
	helpVersion = []string{"version\t\t\tShow the version of the remote supervisord process"}
	helpFg      = []string{
		"fg <process>\tConnect to a process in foreground mode",
		"\t\tCtrl-C to exit",
	}
	helpQuit     = []string{"quit\tExit the supervisor shell."}
	helpExit     = []string{"exit\tExit the supervisor shell."}
	helpMaintail = []string{
		"maintail -f \tContinuous tail of supervisor main log file (Ctrl-C to exit)",
		"maintail -100\tlast 100 *bytes* of supervisord main log file",
		"maintail\tlast 1600 *bytes* of supervisor main log file",
		"",
	}
	helpTail = []string{
		"tail [-f] <name> [stdout|stderr] (default stdout)",
		"Ex:",
		"tail -f <name>\t\tContinuous tail of named process stdout",
		"\t\t\tCtrl-C to exit.",
		"tail -100 <name>\tlast 100 *bytes* of process stdout",
		"tail <name> stderr\tlast 1600 *bytes* of process stderr",
	}
	helpHelp = []string{
		"help\t\tPrint a list of available actions",
		"help <action>\tPrint help for <action>",
	}
)

// helpIndex is what "help" alone prints: the command names in columns.
var helpIndex = []string{
	"",
	"default commands (type help <topic>):",
	"=====================================",
	"add    exit      open  reload  restart   start   tail   ",
	"avail  fg        pid   remove  shutdown  status  update ",
	"clear  maintail  quit  reread  signal    stop    version",
	"",
}

func (c *controller) doHelp(arg string) error {
	if arg == "" {
		for _, l := range helpIndex {
			c.output(l)
		}
		return nil
	}
	// "help EOF" has no help, although EOF is a command.
	if cm, ok := commands[arg]; ok && cm.help != nil {
		c.printHelp(arg)
		return nil
	}
	c.output("*** No help on " + arg)
	return nil
}
