# Drives python-magic's public API; prints what it sees. Run with the package to test first on sys.path.
import os
import re
import sys
import tempfile

import magic


def show(label, fn):
    try:
        print(label, repr(fn()))
    except Exception as e:  # the type and message are part of the behaviour
        text = re.sub(r"'/tmp/[^']*'", "'TMPDIR'", str(e))  # temp names differ per run
        print(label, 'raised', type(e).__name__, text[:120])


samples = {
    'text': b'hello world\n' * 10,
    'utf8': 'ünïcødé text — 名前\n'.encode('utf-8') * 5,
    'latin1': 'caf\xe9 cr\xe8me br\xfbl\xe9e\n'.encode('latin-1') * 5,
    'gzip': bytes.fromhex('1f8b0800000000000003cb48cdc9c95728cf2fca4901001a6c7a4f0b000000'),
    'png': bytes.fromhex('89504e470d0a1a0a0000000d4948445200000001000000010806000000') + b'\0' * 20,
    'pdf': b'%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n',
    'python': b'#!/usr/bin/env python3\nimport os\nprint(os.getcwd())\n',
    'empty': b'',
}
for name, data in samples.items():
    show(name, lambda: magic.from_buffer(data))
    show(name + ' mime', lambda: magic.from_buffer(data, mime=True))
    m = magic.Magic(mime_encoding=True)
    show(name + ' encoding', lambda: m.from_buffer(data))

with tempfile.TemporaryDirectory() as d:
    for name, data in samples.items():
        p = os.path.join(d, name + '-файл.bin')
        with open(p, 'wb') as f:
            f.write(data)
        show('file ' + name, lambda: magic.from_file(p))
        show('file mime ' + name, lambda: magic.from_file(p, mime=True))
        with open(p, 'rb') as f:
            show('descriptor ' + name, lambda: magic.from_descriptor(f.fileno(), mime=True))
    show('directory', lambda: magic.from_file(d))
    show('bytes path', lambda: magic.from_file(os.path.join(d, 'text-файл.bin').encode('utf-8'), mime=True))

m = magic.Magic(mime=True, keep_going=True, uncompress=True)
show('uncompress', lambda: m.from_buffer(samples['gzip']))
m = magic.Magic(raw=True, extension=False)
show('raw', lambda: m.from_buffer(samples['utf8']))
show('missing file', lambda: magic.from_file('/nonexistent/ä.txt'))
show('bad magic file', lambda: magic.Magic(magic_file='/nonexistent/magic.mgc'))
show('buffer str', lambda: magic.from_buffer('plain str text'))
show('version', lambda: magic.version() > 500)
m = magic.Magic()
show('getparam', lambda: m.getparam(magic.MAGIC_PARAM_BYTES_MAX) > 0)
show('setparam', lambda: m.setparam(magic.MAGIC_PARAM_BYTES_MAX, 1 << 20))
show('getparam after', lambda: m.getparam(magic.MAGIC_PARAM_BYTES_MAX))
show('setparam negative', lambda: m.setparam(magic.MAGIC_PARAM_NAME_MAX, -1))
show('compat detect', lambda: tuple(magic.detect_from_content(samples['png'])))
show('compat open', lambda: magic.open(magic.MAGIC_MIME_TYPE) is not None)
c = magic.open(magic.MAGIC_MIME_TYPE)
show('compat load', lambda: c.load())
show('compat buffer', lambda: c.buffer(samples['pdf']))
show('compat file', lambda: c.file('/nonexistent'))
show('compat error', lambda: c.error())
c.close()
for i in range(3):
    show('loop %d' % i, lambda: magic.Magic(mime=True).from_buffer(samples['python']))
