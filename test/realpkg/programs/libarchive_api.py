# Drives libarchive-c's public API; prints what it sees. Run with the package to test first on sys.path.
import io
import re
import os
import sys
import tempfile

import libarchive
from libarchive import ArchiveError


def show(label, fn):
    try:
        print(label, repr(fn()))
    except Exception as e:  # the type and message are part of the behaviour
        text = re.sub(r'archive_p=\d+', 'archive_p=ADDR', str(e).split('\n')[0])  # addresses differ per run
        print(label, 'raised', type(e).__name__, text[:160])


def entries(archive):
    out = []
    for e in archive:
        blocks = b''.join(e.get_blocks())
        out.append((e.pathname, e.size, e.isreg, e.isdir, e.issym, e.mode & 0o777, e.mtime, len(blocks), blocks[:20]))
    return out


names = ['plain.txt', 'dir/ünïcødé-名前.txt', 'empty']
contents = [b'hello world\n' * 50, 'ünïcødé text\n'.encode('utf-8') * 3, b'']

for fmt, filt in [('ustar', None), ('pax', 'gzip'), ('zip', None), ('7zip', None), ('cpio', 'xz')]:
    buf = bytes(bytearray(1 << 20))  # the package writes into the bytes object, as its own tests do
    with libarchive.memory_writer(buf, fmt, filt) as w:
        for n, c in zip(names, contents):
            w.add_file_from_memory(n, len(c), c, mtime=(1700000000, 5), permission=0o640)
    with libarchive.memory_reader(bytes(buf)) as r:
        print(fmt, filt, entries(r))

# custom writer and stream reader
chunks = []
with libarchive.custom_writer(lambda data: chunks.append(bytes(data)) or len(data), 'ustar') as w:
    w.add_file_from_memory('a/b.bin', 4096, bytes(range(256)) * 16)
blob = b''.join(chunks)
print('custom_writer', len(blob))
with libarchive.stream_reader(io.BytesIO(blob)) as r:
    print('stream_reader', entries(r))

# on disk: files, fd, extract, add_files with a unicode name
with tempfile.TemporaryDirectory() as d:
    src = os.path.join(d, 'src')
    os.makedirs(os.path.join(src, 'sub'))
    with open(os.path.join(src, 'sub', 'файл.txt'), 'wb') as f:
        f.write(b'disk data\n' * 10)
    os.symlink('sub/файл.txt', os.path.join(src, 'link'))
    os.utime(os.path.join(src, 'sub', 'файл.txt'), (1600000000, 1600000000))
    path = os.path.join(d, 'out.tar.gz')
    cwd = os.getcwd()
    os.chdir(d)
    try:
        with libarchive.file_writer(path, 'gnutar', 'gzip') as w:
            w.add_files('src')
        with libarchive.file_reader(path) as r:
            print('file_reader', sorted((e.pathname, e.isdir, e.issym, e.linkpath if e.issym else None, e.size) for e in r))
        with open(path, 'rb') as f:
            with libarchive.fd_reader(f.fileno()) as r:
                print('fd_reader', sorted(e.pathname for e in r))
        os.makedirs('x')
        os.chdir('x')
        libarchive.extract_file(path)
        print('extracted', sorted(os.path.join(dp, n)[2:] for dp, dn, fn in os.walk('.') for n in dn + fn))
        with open('src/sub/файл.txt', 'rb') as f:
            print('extracted content', f.read()[:30])
        os.chdir(d)
        with open(path, 'rb') as f:
            data = f.read()
        os.makedirs('y')
        os.chdir('y')
        libarchive.extract_memory(data)
        print('extract_memory', sorted(os.listdir('src')))
    finally:
        os.chdir(cwd)

# error paths
show('garbage', lambda: [e.pathname for e in libarchive.memory_reader(b'not an archive at all' * 10).__enter__()])
show('missing file', lambda: libarchive.file_reader('/nonexistent/ä.tar').__enter__())
show('bad format', lambda: libarchive.memory_writer(bytes(10), 'nosuchformat').__enter__())
show('bad options', lambda: libarchive.memory_writer(bytes(100), 'ustar', options='nonsense=1').__enter__())
def tiny():
    with libarchive.memory_writer(bytes(10), 'ustar') as w:
        w.add_file_from_memory('x', 10000, b'a' * 10000)
show('buffer too small', tiny)
def str_data():
    with libarchive.memory_writer(bytes(10000), 'ustar') as w:
        w.add_file_from_memory('x', 3, 'abc')
show('str data', str_data)
print('formats', sorted(libarchive.ffi.READ_FORMATS)[:5], len(libarchive.ffi.WRITE_FILTERS))
print('version', libarchive.ffi.version_number() > 3000000)
print('error_string of NULL-free', libarchive.ffi.error_string(libarchive.ffi.read_new()))
