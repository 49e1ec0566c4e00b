# Drives pyinotify's public API on a temporary tree; prints what it sees. Run with the module to test first on sys.path.
import os
import sys
import tempfile

import logging

import pyinotify


class ToStdout(logging.Handler):
    # pyinotify logs its errors (with errno's text); they are part of the behaviour
    def emit(self, record):
        print('log', record.levelname, record.getMessage().replace(root, 'ROOT'))


pyinotify.log.handlers[:] = [ToStdout()]
pyinotify.log.propagate = False

def show(label, fn):
    try:
        print(label, repr(fn()))
    except Exception as e:  # the type and message are part of the behaviour
        print(label, 'raised', type(e).__name__, str(e).replace(root, 'ROOT')[:160])


class Recorder(pyinotify.ProcessEvent):
    def my_init(self, seen):
        self.seen = seen

    def process_default(self, event):
        rel = os.path.relpath(event.pathname, root)
        self.seen.append((event.maskname, rel, event.dir))


def drain(notifier, seen):
    # read every pending event, then print them in arrival order
    while notifier.check_events(timeout=200):
        notifier.read_events()
        notifier.process_events()
    for item in seen:
        print('  event', *item)
    print('  count', len(seen))
    del seen[:]


with tempfile.TemporaryDirectory() as root:
    seen = []
    wm = pyinotify.WatchManager()
    notifier = pyinotify.Notifier(wm, Recorder(seen=seen), timeout=10)
    mask = (pyinotify.IN_CREATE | pyinotify.IN_DELETE | pyinotify.IN_CLOSE_WRITE | pyinotify.IN_MOVED_FROM
            | pyinotify.IN_MOVED_TO | pyinotify.IN_ATTRIB | pyinotify.IN_DELETE_SELF)
    wdd = wm.add_watch(root, mask, rec=True, auto_add=True)
    print('watch root', sorted((os.path.relpath(k, root), v) for k, v in wdd.items()))
    print('fd is an int', isinstance(wm.get_fd(), int) and wm.get_fd() >= 0)

    print('files')
    for name in ['plain.txt', 'ünïcødé-名前.txt', 'space name', 'x' * 200]:
        with open(os.path.join(root, name), 'w') as f:
            f.write('hello')
    drain(notifier, seen)

    print('subdirectories (auto_add)')
    os.makedirs(os.path.join(root, 'sub', 'deeper'))
    drain(notifier, seen)
    with open(os.path.join(root, 'sub', 'in-sub.bin'), 'wb') as f:
        f.write(b'\0' * 100)
    drain(notifier, seen)

    print('rename, chmod, delete')
    os.rename(os.path.join(root, 'plain.txt'), os.path.join(root, 'renamed.txt'))
    os.chmod(os.path.join(root, 'renamed.txt'), 0o600)
    os.remove(os.path.join(root, 'renamed.txt'))
    drain(notifier, seen)

    print('watches', sorted(os.path.relpath(w.path, root) for w in wm.watches.values()))
    sub_wd = wm.get_wd(os.path.join(root, 'sub'))
    print('get_wd sub', sub_wd is not None, 'get_path', os.path.relpath(wm.get_path(sub_wd), root))
    show('rm_watch sub', lambda: sorted(wm.rm_watch(sub_wd, rec=True).values()))
    drain(notifier, seen)
    with open(os.path.join(root, 'sub', 'unwatched'), 'w') as f:
        f.write('x')
    drain(notifier, seen)

    print('errors')
    show('missing, quiet', lambda: sorted(v for v in wm.add_watch(os.path.join(root, 'nope'), mask).values()))
    show('missing, loud', lambda: wm.add_watch(os.path.join(root, 'nope', 'ä'), mask, quiet=False))
    show('rm unknown wd, loud', lambda: wm.rm_watch(9999, quiet=False))
    show('update unknown wd, loud', lambda: wm.update_watch(9999, mask, quiet=False))
    show('bytes path', lambda: sorted(wm.add_watch(os.fsencode(os.path.join(root, 'sub')), mask).values()))
    single = os.path.join(root, 'single')
    with open(single, 'w') as f:
        f.write('s')
    wd = wm.add_watch(single, pyinotify.IN_MODIFY | pyinotify.IN_DELETE_SELF)[single]
    show('update_watch', lambda: sorted(wm.update_watch(wd, pyinotify.ALL_EVENTS).values()))
    with open(single, 'a') as f:
        f.write('more')
    os.remove(single)
    drain(notifier, seen)

    print('a second manager')
    wm2 = pyinotify.WatchManager()
    print('different fds', wm2.get_fd() != wm.get_fd())
    show('watch in second', lambda: sorted(wm2.add_watch(root, pyinotify.IN_CREATE).values()))
    wm2.close()
    notifier.stop()
print('done')
