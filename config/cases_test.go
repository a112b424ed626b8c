package config

// loadCase is a config file and what loading it must give: no error, or an
// error whose Msg is exactly want (supervisord 4.2.5's text). In conf and
// want, {dir} stands for the temporary directory holding the file, {file}
// for the file's path. Every case also runs through the differential test
// against the real supervisord.
type loadCase struct {
	name string
	conf string
	want string // "" means the file loads
	// files are extra files to create, relative to {dir}.
	files map[string]string
}

const sd = "[supervisord]\n"

// loadCases cover checks 1-17 of spec section 11 and the value types and
// messages of spec 1.2-1.13.
var loadCases = []loadCase{
	// Check 1.
	{name: "check1 numprocs names", conf: sd + "[program:foo1]\ncommand=/bin/sleep 30\nnumprocs=3\nprocess_name=%(program_name)s_%(process_num)02d\n"},
	// Check 2.
	{name: "check2 numprocs without process_num", conf: sd + "[program:a]\ncommand=/bin/sleep 30\nnumprocs=2\n",
		want: "%(process_num) must be present within process_name when numprocs > 1 in section 'program:a' (file: '{file}')"},
	// Check 3.
	{name: "check3 environment quoting", conf: sd + "[program:a]\ncommand=/bin/sleep 30\nenvironment=A=\"x,y\",B='q',C=%(process_num)d\n"},
	// Check 4.
	{name: "check4 environment space", conf: sd + "[program:a]\ncommand=/bin/sleep 30\nenvironment=A=1 B=2\n",
		want: "Unexpected end of key/value pairs in value 'A=1 B=2' in section 'program:a' (file: '{file}')"},
	// Check 6.
	{name: "check6 incomplete format", conf: sd + "[program:a]\ncommand=/bin/echo 100%\n",
		want: "Format string '/bin/echo 100%' for 'program:a.command' is badly formatted: incomplete format in section 'program:a' (file: '{file}')"},
	{name: "check6 escaped percent", conf: sd + "[program:a]\ncommand=/bin/echo 100%%\n"},
	// Check 7.
	{name: "check7 comments and continuation", conf: sd + "[program:a]\ncommand=/bin/echo a;b ;c # d\n  second\n\n  third\n"},
	// Check 8.
	{name: "check8 1.5MB", conf: sd + "[program:a]\ncommand=/bin/true\nstdout_logfile_maxbytes=1.5MB\n",
		want: "invalid literal for int() with base 10: '1.5' in section 'program:a' (file: '{file}')"},
	{name: "check8 1K", conf: sd + "[program:a]\ncommand=/bin/true\nstdout_logfile_maxbytes=1K\n",
		want: "invalid literal for int() with base 10: '1k' in section 'program:a' (file: '{file}')"},
	{name: "check8 sizes", conf: sd + "logfile_maxbytes=1gb\n[program:a]\ncommand=/bin/true\nstdout_logfile_maxbytes=1kb\nstderr_logfile_maxbytes=50MB\n"},
	{name: "check8 supervisord size", conf: sd + "logfile_maxbytes=5xb\n",
		want: "invalid literal for int() with base 10: '5xb'"},
	// Check 9.
	{name: "check9 booleans", conf: sd + "nodaemon=On\nsilent=0\n[program:a]\ncommand=/bin/true\nautostart=YES\nstopasgroup=off\nredirect_stderr=TRUE\n"},
	{name: "check9 bad boolean", conf: sd + "[program:a]\ncommand=/bin/true\nautostart=2\n",
		want: "not a valid boolean value: '2' in section 'program:a' (file: '{file}')"},
	{name: "check9 bad supervisord boolean", conf: sd + "nocleanup=maybe\n",
		want: "not a valid boolean value: 'maybe'"},
	// Check 10.
	{name: "check10 signals", conf: sd + "[program:a]\ncommand=/bin/true\nstopsignal=term\n[program:b]\ncommand=/bin/true\nstopsignal=SIGTERM\n[program:c]\ncommand=/bin/true\nstopsignal=15\n[program:d]\ncommand=/bin/true\nstopsignal= sigint \n"},
	{name: "check10 bad signal", conf: sd + "[program:a]\ncommand=/bin/true\nstopsignal=FOO\n",
		want: "value 'FOO' is not a valid signal name in section 'program:a' (file: '{file}')"},
	{name: "check10 bad signal number", conf: sd + "[program:a]\ncommand=/bin/true\nstopsignal=99\n",
		want: "value '99' is not a valid signal number in section 'program:a' (file: '{file}')"},
	// Check 11.
	{name: "check11 exit codes", conf: sd + "[program:a]\ncommand=/bin/true\nexitcodes=0,256\n",
		want: "not a valid list of exit codes: '0,256' in section 'program:a' (file: '{file}')"},
	{name: "check11 empty exit codes", conf: sd + "[program:a]\ncommand=/bin/true\nexitcodes=\n"},
	// Check 12.
	{name: "check12 stopasgroup without killasgroup", conf: sd + "[program:a]\ncommand=/bin/true\nstopasgroup=true\nkillasgroup=false\n",
		want: "Cannot set stopasgroup=true and killasgroup=false in section 'program:a' (file: '{file}')"},
	{name: "check12 stopasgroup alone", conf: sd + "[program:a]\ncommand=/bin/true\nstopasgroup=true\n"},
	// Check 13.
	{name: "check13 bad name", conf: sd + "[program:a b]\ncommand=/bin/true\n",
		want: "Invalid name: 'a b' because of character: ' '"},
	{name: "bad name in group member", conf: sd + "[group:g]\nprograms=a b\n[program:a b]\ncommand=/bin/true\n",
		want: "Invalid name: 'a b' because of character: ' ' in section 'program:a b' (file: '{file}')"},
	{name: "bad listener name", conf: sd + "[eventlistener:a b]\ncommand=/bin/true\nevents=TICK_5\n",
		want: "Invalid name: 'a b' because of character: ' ' in section 'eventlistener:a b' (file: '{file}')"},
	{name: "check13 bad group name", conf: sd + "[program:a]\ncommand=/bin/true\n[group:g/h]\nprograms=a\n",
		want: "Invalid name: 'g/h' because of character: '/'"},
	// Check 14.
	{name: "check14 listener without events", conf: sd + "[eventlistener:e]\ncommand=/bin/cat\n",
		want: "[eventlistener:e] section requires an \"events\" line"},
	{name: "check14 listener redirect_stderr", conf: sd + "[eventlistener:e]\ncommand=/bin/cat\nevents=TICK_5\nredirect_stderr=true\n",
		want: "[eventlistener:e] section sets redirect_stderr=true but this is not allowed because it will interfere with the eventlistener protocol"},
	{name: "check14 listener buffer_size", conf: sd + "[eventlistener:e]\ncommand=/bin/cat\nevents=TICK_5\nbuffer_size=0\n",
		want: "[eventlistener:e] section sets invalid buffer_size (0)"},
	{name: "check14 listener unknown event", conf: sd + "[eventlistener:e]\ncommand=/bin/cat\nevents=tick_5,FOO\n",
		want: "Unknown event type FOO in [eventlistener:e] events"},
	{name: "check14 listener ok", conf: sd + "[eventlistener:e]\ncommand=/bin/cat\nevents=PROCESS_STATE,tick_60\nautostart=false\n"},
	// Check 15.
	{name: "check15 inet incomplete auth", conf: sd + "[inet_http_server]\nport=127.0.0.1:0\nusername=u\n",
		want: "Section [inet_http_server] contains incomplete authentication: If a username or a password is specified, both the username and password must be specified"},
	{name: "check15 unix incomplete auth", conf: sd + "[unix_http_server]\nfile=%(here)s/s.sock\npassword=p\n",
		want: "Section [unix_http_server] contains incomplete authentication: If a username or a password is specified, both the username and password must be specified"},
	{name: "unix server", conf: sd + "[unix_http_server]\nfile=%(here)s/s.sock\nchmod=0770\nusername=u\npassword={SHA}40bd001563085fc35165329ea1ff5c5ecbdbbeef\n"},
	{name: "unix server without file", conf: sd + "[unix_http_server]\nchmod=0700\n",
		want: "section [unix_http_server] has no file value"},
	{name: "unix server bad chmod", conf: sd + "[unix_http_server]\nfile=%(here)s/s.sock\nchmod=999\n",
		want: "Invalid chmod value 999"},
	{name: "unix server bad chown", conf: sd + "[unix_http_server]\nfile=%(here)s/s.sock\nchown=nosuchuserxyz\n",
		want: "Invalid sockchown value nosuchuserxyz"},
	{name: "inet without port", conf: sd + "[inet_http_server]\n",
		want: "section [inet_http_server] has no port value"},
	{name: "inet port too big", conf: sd + "[inet_http_server]\nport=:70000\n",
		want: "70000 is above upper bound (65535)"},
	{name: "inet port zero", conf: sd + "[inet_http_server]\nport=*:0\n",
		want: "0 is below lower bound (1)"},
	{name: "inet empty port", conf: sd + "[inet_http_server]\nport=localhost:\n",
		want: "no port number specified in ''"},
	{name: "inet port too big without host", conf: sd + "[inet_http_server]\nport=70000\n",
		want: "not a valid port number: '70000' "},
	{name: "inet bad port", conf: sd + "[inet_http_server]\nport=abc\n",
		want: "not a valid port number: 'abc' "},
	// Check 16.
	{name: "check16 include", conf: sd + "[include]\nfiles=inc/*.ini nomatch/*.conf\n",
		files: map[string]string{"inc/b.ini": "[program:b]\ncommand=/bin/true\nstdout_logfile=%(here)s/b.log\n", "inc/.hidden.ini": "garbage\n"}},
	{name: "include without files", conf: sd + "[include]\n",
		want: ".ini file has [include] section, but no files setting"},
	{name: "include parse error", conf: sd + "[include]\nfiles=inc/*.ini\n",
		files: map[string]string{"inc/b.ini": "[program:b]\nnonsense\n"},
		want:  "Source contains parsing errors: '{dir}/inc/b.ini'\n\t[line  2]: 'nonsense\\n'"},
	{name: "include program error names file", conf: sd + "[include]\nfiles=inc/*.ini\n",
		files: map[string]string{"inc/b.ini": "[program:b]\ncommand=/bin/true\nstartsecs=x\n"},
		want:  "invalid literal for int() with base 10: 'x' in section 'program:b' (file: '{dir}/inc/b.ini')"},

	// Check 5.
	{name: "check5 unknown name", conf: sd + "[program:a]\ncommand=/bin/echo %(foo)s\n",
		want: "Format string '/bin/echo %(foo)s' for 'program:a.command' contains names ('foo') which cannot be expanded. Available names: {names}, group_name, here, host_node_name, numprocs, process_num, program_name in section 'program:a' (file: '{file}')"},
	{name: "bad d format", conf: sd + "[program:a]\ncommand=/bin/echo %(program_name)d\n",
		want: "Format string '/bin/echo %(program_name)d' for 'program:a.command' is badly formatted: %d format: a real number is required, not str in section 'program:a' (file: '{file}')"},

	// INI syntax (spec 1.2).
	{name: "no section headers", conf: "foo=bar\n[supervisord]\n",
		want: "File contains no section headers.\nfile: '{file}', line: 1\n'foo=bar\\n'"},
	{name: "parsing errors", conf: sd + "a=1\nfoo\n[program:x]\ncommand=/bin/true\nbar\n",
		want: "Source contains parsing errors: '{file}'\n\t[line  3]: 'foo\\n'\n\t[line  6]: 'bar\\n'"},
	{name: "indented line after a bad line continues the option before it", conf: sd + "[program:a]\ncommand=/bin/true\nbad line\n  indented\n",
		want: "Source contains parsing errors: '{file}'\n\t[line  4]: 'bad line\\n'"},
	{name: "indented line after an empty key is an error too", conf: sd + "[program:a]\ncommand=/bin/true\n= v\n  indented\n",
		want: "Source contains parsing errors: '{file}'\n\t[line  4]: '= v\\n'\n\t[line  5]: '  indented\\n'"},
	{name: "empty key", conf: sd + "=1\n",
		want: "Source contains parsing errors: '{file}'\n\t[line  2]: '=1\\n'"},
	{name: "no supervisord section", conf: "[program:a]\ncommand=/bin/true\n",
		want: ".ini file does not include supervisord section"},
	{name: "section names are case-sensitive", conf: "[Supervisord]\n",
		want: ".ini file does not include supervisord section"},
	{name: "keys are case-insensitive", conf: sd + "[program:a]\nCOMMAND=/bin/true\nAutoStart : false\n"},
	{name: "duplicate sections merge", conf: sd + "[program:a]\ncommand=/bin/true\n[program:a]\nstartsecs=0\n"},
	{name: "DEFAULT section", conf: "[DEFAULT]\nstartsecs=0\n" + sd + "[program:a]\ncommand=/bin/true\n"},
	{name: "DEFAULT error shows in program", conf: "[DEFAULT]\nstartsecs=x\n" + sd + "[program:a]\ncommand=/bin/true\n",
		want: "invalid literal for int() with base 10: 'x' in section 'program:a' (file: '{file}')"},
	{name: "comment lines", conf: "; comment\n# another\n" + sd + "  ; indented comment\n[program:a] ; trailing\ncommand=/bin/true # comment\n"},
	{name: "crlf line ends", conf: "[supervisord]\r\n[program:a]\r\ncommand=/bin/true\r\n"},

	// [supervisord] (spec 1.6).
	{name: "supervisord all keys", conf: "[supervisord]\nlogfile=%(here)s/main.log\nlogfile_maxbytes=1MB\nlogfile_backups=3\nloglevel=DEBUG\npidfile=%(here)s/sd.pid\numask=027\nnodaemon=true\nsilent=false\nminfds=512\nminprocs=100\nnocleanup=true\nchildlogdir=%(here)s\ndirectory=%(here)s\nstrip_ansi=true\nenvironment=A=1,B=\"two words\"\nidentifier=myid\n"},
	{name: "bad loglevel", conf: sd + "loglevel=verbose\n", want: "bad logging level name 'verbose'"},
	{name: "loglevel warning rejected", conf: sd + "loglevel=warning\n", want: "bad logging level name 'warning'"},
	{name: "bad umask", conf: sd + "umask=089\n", want: "089 can not be converted to an octal type"},
	{name: "bad minfds", conf: sd + "minfds=abc\n", want: "invalid literal for int() with base 10: 'abc'"},
	{name: "missing childlogdir", conf: sd + "childlogdir=/nonexistent/dir\n", want: "/nonexistent/dir is not an existing directory"},
	{name: "missing logfile dir", conf: sd + "logfile=/nonexistent/dir/x.log\n",
		want: "The directory named as part of the path /nonexistent/dir/x.log does not exist"},
	{name: "supervisord unknown name", conf: sd + "identifier=%(program_name)s\n",
		want: "Format string '%(program_name)s' for 'supervisord.identifier' contains names ('program_name') which cannot be expanded. Available names: {names}, here"},
	{name: "supervisord environment error", conf: sd + "environment=A=\n",
		want: "Unexpected end of key/value pairs in value 'A='"},
	{name: "supervisord environment gives ENV", conf: sd + "environment=FOO_FROM_SD=bar\n[program:a]\ncommand=/bin/echo %(ENV_FOO_FROM_SD)s\n"},

	// [program:x] (spec 1.7).
	{name: "program all keys", files: map[string]string{"logs/.keep": ""}, conf: sd + `[program:all]
command=/bin/sleep 30
process_name=%(program_name)s_%(process_num)d
numprocs=2
numprocs_start=5
priority=10
autostart=false
startsecs=0
startretries=7
autorestart=true
exitcodes=0,2
stopsignal=INT
stopwaitsecs=3
stopasgroup=true
killasgroup=true
user=root
directory=/tmp
umask=002
redirect_stderr=false
stdout_logfile=%(here)s/logs/%(program_name)s-%(process_num)s.out
stdout_logfile_maxbytes=1KB
stdout_logfile_backups=2
stdout_capture_maxbytes=1MB
stdout_events_enabled=true
stdout_syslog=true
stderr_logfile=NONE
stderr_logfile_maxbytes=0
stderr_logfile_backups=0
stderr_capture_maxbytes=0
stderr_events_enabled=false
stderr_syslog=false
environment=A=1,B="%(process_num)d"
serverurl=AUTO
`},
	{name: "program without command", conf: sd + "[program:a]\nnumprocs=1\n",
		want: "program section program:a does not specify a command in section 'program:a' (file: '{file}')"},
	{name: "program numprocs zero without command", conf: sd + "[program:a]\nnumprocs=0\n"},
	{name: "bad autorestart", conf: sd + "[program:a]\ncommand=/bin/true\nautorestart=Sometimes\n",
		want: "invalid 'autorestart' value 'sometimes' in section 'program:a' (file: '{file}')"},
	{name: "bad user", conf: sd + "[program:a]\ncommand=/bin/true\nuser=nosuchuserxyz\n",
		want: "Invalid user name nosuchuserxyz in section 'program:a' (file: '{file}')"},
	{name: "bad uid", conf: sd + "[program:a]\ncommand=/bin/true\nuser=54321\n",
		want: "Invalid user id 54321 in section 'program:a' (file: '{file}')"},
	{name: "bad program umask", conf: sd + "[program:a]\ncommand=/bin/true\numask=8\n",
		want: "8 can not be converted to an octal type in section 'program:a' (file: '{file}')"},
	{name: "log dir missing", conf: sd + "[program:a]\ncommand=/bin/true\nstdout_logfile=/nonexistent/x.log\n",
		want: "The directory named as part of the path /nonexistent/x.log does not exist in section 'program:a' (file: '{file}')"},
	{name: "log file keywords", conf: sd + "[program:a]\ncommand=/bin/true\nstdout_logfile=auto\nstderr_logfile=Off\n[program:b]\ncommand=/bin/true\nstdout_logfile=syslog\nredirect_stderr=true\nstderr_logfile=%(here)s/ignored.log\n"},
	{name: "process_name bad character", conf: sd + "[program:a]\ncommand=/bin/true\nprocess_name=a:b\n",
		want: "Invalid name: 'a:b' because of character: ':' in section 'program:a' (file: '{file}')"},
	{name: "priority with program name", conf: sd + "[program:a]\ncommand=/bin/true\npriority=%(program_name)s\n",
		want: "Format string '%(program_name)s' for 'program:a.priority' contains names ('program_name') which cannot be expanded. Available names: {names}, here"},
	{name: "environment percent names", conf: sd + "[program:a]\ncommand=/bin/true\nenvironment=N=%(program_name)s_%(process_num)02d,H=%(here)s\n"},
	{name: "environment unknown name", conf: sd + "[program:a]\ncommand=/bin/true\nenvironment=N=%(nope)s\n",
		want: "Format string 'N=%(nope)s' for 'environment' contains names ('nope') which cannot be expanded. Available names: {names}, group_name, here, host_node_name, numprocs, process_num, program_name in section 'program:a' (file: '{file}')"},
	{name: "command sees program environment", conf: sd + "[program:a]\ncommand=/bin/echo %(ENV_ZZ_PROGRAM_ONLY)s\nenvironment=ZZ_PROGRAM_ONLY=1\n"},
	{name: "log file double expansion", conf: sd + "[program:a]\ncommand=/bin/true\nstdout_logfile=%(here)s/a%%%%b.log\n"},

	// [group:x] (spec 1.8).
	{name: "group", conf: sd + "[group:g]\nprograms=a,b\npriority=5\n[program:a]\ncommand=/bin/true\n[program:b]\ncommand=/bin/true\n[program:c]\ncommand=/bin/true\n"},
	{name: "group unknown program", conf: sd + "[group:g]\nprograms=a,zz\n[program:a]\ncommand=/bin/true\n",
		want: "[program:a] names unknown program or fcgi-program zz"},
	{name: "group unknown first program", conf: sd + "[group:g]\nprograms=zz\n",
		want: "[group:g] names unknown program or fcgi-program zz"},
	{name: "group bad priority", conf: sd + "[group:g]\nprograms=\npriority=high\n",
		want: "invalid literal for int() with base 10: 'high'"},

	// [fcgi-program:x] (spec 1.10).
	{name: "fcgi tcp", conf: sd + "[fcgi-program:f]\ncommand=/bin/true\nsocket=tcp://127.0.0.1:0\nautostart=false\n",
		want: "0 is below lower bound (1) in [fcgi-program:f] socket"},
	{name: "fcgi no socket", conf: sd + "[fcgi-program:f]\ncommand=/bin/true\n",
		want: "[fcgi-program:f] section requires a \"socket\" line"},
	{name: "fcgi relative unix", conf: sd + "[fcgi-program:f]\ncommand=/bin/true\nsocket=unix://rel.sock\n",
		want: "('Unix socket path %s is not an absolute path', 'rel.sock') in [fcgi-program:f] socket"},
	{name: "fcgi bad format", conf: sd + "[fcgi-program:f]\ncommand=/bin/true\nsocket=udp://x:1\n",
		want: "('Bad socket format %s', 'udp://x:1') in [fcgi-program:f] socket"},
	{name: "fcgi owner on tcp", conf: sd + "[fcgi-program:f]\ncommand=/bin/true\nsocket=tcp://127.0.0.1:9\nsocket_mode=0600\n",
		want: "socket_owner and socket_mode params should only be used with a Unix domain socket in [fcgi-program:f] socket"},
	{name: "fcgi backlog", conf: sd + "[fcgi-program:f]\ncommand=/bin/true\nsocket=unix:///tmp/x.sock\nsocket_backlog=0\n",
		want: "Invalid socket_backlog value 0"},
	{name: "fcgi unix ok", conf: sd + "[fcgi-program:f]\ncommand=/bin/true\nsocket=unix://{dir}/%(program_name)s.sock\nsocket_mode=0770\nautostart=false\n"},

	// [rpcinterface:x] (spec 1.13).
	{name: "rpcinterface without factory", conf: sd + "[rpcinterface:supervisor]\nfoo=bar\n",
		want: "section [rpcinterface:supervisor] does not specify a supervisor.rpcinterface_factory"},
	{name: "rpcinterface unknown factory", conf: sd + "[rpcinterface:x]\nsupervisor.rpcinterface_factory = nosuchmodule_xyz:make\n",
		want: "nosuchmodule_xyz:make cannot be resolved within [rpcinterface:x]"},
}
