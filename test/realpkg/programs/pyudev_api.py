# Drives pyudev's public API over this machine's /sys; prints what it sees. Run with the package to test first on sys.path.
import os

import pyudev


def show(label, fn):
    try:
        print(label, repr(fn()))
    except Exception as e:  # the type and message are part of the behaviour
        print(label, 'raised', type(e).__name__, str(e)[:160])


ctx = pyudev.Context()
print('paths', ctx.sys_path, ctx.device_path, ctx.run_path)
show('log priority', lambda: ctx.log_priority)
print('devices', len(list(ctx.list_devices())))
for sub in ['net', 'mem', 'tty', 'block', 'misc']:
    found = sorted(ctx.list_devices(subsystem=sub), key=lambda d: d.sys_path)
    print(sub, len(found))
    for d in found[:4]:
        print('  ', d.sys_name, d.subsystem, d.device_type, d.driver, d.device_node, d.sys_number, d.is_initialized)
        print('    properties', sorted(d.properties)[:8])
        print('    attributes', sorted(d.attributes.available_attributes)[:8])
        print('    parent', d.parent.sys_name if d.parent else None)
show('no match', lambda: len(list(ctx.list_devices(subsystem='no-such-subsystem'))))
show('nomatch mem', lambda: len(list(ctx.list_devices().match_subsystem('mem', nomatch=True))))
show('by property', lambda: sorted(d.sys_name for d in ctx.list_devices(DEVNAME='/dev/null')))
show('lo', lambda: (pyudev.Devices.from_name(ctx, 'net', 'lo').attributes.asstring('mtu'), pyudev.Devices.from_name(ctx, 'net', 'lo').attributes.asint('flags')))
show('null by number', lambda: pyudev.Devices.from_device_number(ctx, 'char', os.makedev(1, 3)).sys_name)
show('null by file', lambda: pyudev.Devices.from_device_file(ctx, '/dev/null').device_number)
show('missing name', lambda: pyudev.Devices.from_name(ctx, 'net', 'no-such-dev'))
show('missing path', lambda: pyudev.Devices.from_path(ctx, '/sys/no/such/ä'))
show('missing number', lambda: pyudev.Devices.from_device_number(ctx, 'char', os.makedev(4095, 4095)))
show('bad type', lambda: pyudev.Devices.from_device_number(ctx, 'nope', 0))
show('not a device file', lambda: pyudev.Devices.from_device_file(ctx, '/etc/hostname'))
show('missing attribute', lambda: pyudev.Devices.from_name(ctx, 'mem', 'null').attributes.asstring('no-such-attr'))
m = pyudev.Monitor.from_netlink(ctx)
m.filter_by('net')
show('monitor fd', lambda: m.fileno() >= 0)
show('poll nothing', lambda: m.poll(timeout=0.01))
print('done')
