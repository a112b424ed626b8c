#!/usr/bin/env python3
"""Regenerates the golden messages in this directory with Python's own
xmlrpc.client, the library supervisorctl and supervisord use. The Go tests
read the files; they do not need Python. Run: python3 gen.py"""
import datetime
import os
import xmlrpc.client as x

here = os.path.dirname(os.path.abspath(__file__))


def info(name, group, pid, state, statename, description):
    # Member order of supervisord's getProcessInfo.
    d = {'name': name, 'group': group, 'start': 1795481292, 'stop': 0,
         'now': 1795481297, 'state': state, 'statename': statename,
         'spawnerr': '', 'exitstatus': 0,
         'logfile': '/var/log/%s.log' % name,
         'stdout_logfile': '/var/log/%s.log' % name,
         'stderr_logfile': '', 'pid': pid}
    d['description'] = description
    return d


responses = {
    'struct_array': {'a': 1, 'b': [True, 's']},
    'string_escape': 'a<b>&c"\'\n\tz',
    'unicode': 'h\u00e9llo \u2713 \u65e5\u672c \U0001F600',
    'bool_false': False,
    'ints': [0, 1, -1, 2**31 - 1, -2**31],
    'doubles': [1.0, 0.1, -2.5, 1e16, 9999999999999998.0, 1e15, 1e-05,
                0.0001, -0.0, 1.5e-07, 5e-324, 1.7976931348623157e308,
                123456.789, 12345678901234567.0, float('inf'), float('-inf')],
    'empty_containers': [[], {}, ''],
    'datetime': datetime.datetime(2026, 11, 24, 0, 48, 12),
    'base64_empty': b'',
    'base64_long': bytes(range(256)),
    'state': {'statecode': 1, 'statename': 'RUNNING'},
    'process_info': info('web', 'web', 4242, 20, 'RUNNING',
                         'pid 4242, uptime 0:00:05'),
    'all_process_info': [
        info('web', 'web', 4242, 20, 'RUNNING', 'pid 4242, uptime 0:00:05'),
        info('worker_00', 'workers', 0, 0, 'STOPPED', 'Not started'),
    ],
    'tail': ['line one\nline <two> & three\n', 48, False],
    'multicall_result': [
        {'statecode': 1, 'statename': 'RUNNING'},
        {'faultCode': 10, 'faultString': 'BAD_NAME: nosuch'},
        True,
    ],
    'reload_config': [[['new'], ['changed'], []]],
}

faults = {
    'fault_bad_name': x.Fault(10, 'BAD_NAME: x'),
    'fault_escape': x.Fault(2, 'INCORRECT_PARAMETERS: <a & b>'),
}

requests = {
    'call_no_params': ('supervisor.getAllProcessInfo', ()),
    'call_start': ('supervisor.startProcess', ('web', True)),
    'call_readlog': ('supervisor.readProcessStdoutLog', ('web', -1600, 0)),
    'call_stdin': ('supervisor.sendProcessStdin', ('web', 'h\u00e9llo <&>\n')),
    'call_struct_array': ('test.echo', (
        'x', {'k': [1, 2, {'n': 'v'}], 'empty': {}},
        [True, 1.5, 'a&b', []])),
    'call_other_types': ('test.echo', (
        datetime.datetime(1999, 12, 31, 23, 59, 59), b'\x00\xff binary',
        -0.5)),
    # What xmlrpc.client.MultiCall sends: params are tuples, so arrays.
    'call_multicall': ('system.multicall', ([
        {'methodName': 'supervisor.getState', 'params': ()},
        {'methodName': 'supervisor.startProcess', 'params': ('web', False)},
        {'methodName': 'supervisor.getProcessInfo', 'params': ('web',)},
    ],)),
}


def write(name, text):
    with open(os.path.join(here, name + '.xml'), 'w', encoding='utf-8',
              newline='') as f:
        f.write(text)


for name, v in responses.items():
    write('response_' + name, x.dumps((v,), methodresponse=True))
for name, f in faults.items():
    write('response_' + name, x.dumps(f, methodresponse=True))
for name, (method, params) in requests.items():
    write('request_' + name.removeprefix('call_'), x.dumps(params, method))
