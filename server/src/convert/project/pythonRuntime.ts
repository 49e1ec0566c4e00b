/**
 * The Python helpers a converted module may need, each emitted only when the module uses it. They keep
 * ctypes' calling convention at the boundary — handles stay int addresses, C strings come back as
 * bytes/str or None, callbacks receive what ctypes gave them — so no cffi object reaches code that
 * expected a ctypes value, while every foreign call goes through cffi.
 */

export type RuntimeHelper = 'pointer' | 'function' | 'variadic' | 'callback' | 'stringBuffer' | 'charArray' | 'voidPointer' | 'buffer' | 'library' | 'bufferMemory' | 'integer' | 'inDll' | 'structAt' | 'readField';

const CONVERTERS = (ffi: string): string => `def _string_or_none(p):  # ctypes gave bytes (str for wchar_t *), or None for NULL
    return None if p == ${ffi}.NULL else ${ffi}.string(p)


def _address_or_none(p):  # ctypes gave a void * as an int address, or None for NULL
    return None if p == ${ffi}.NULL else int(${ffi}.cast("uintptr_t", p))


def _from_c(ctype):  # how ctypes handed a value of this C type to Python (None: as it is)
    if ctype.cname in ("char *", "wchar_t *"):
        return _string_or_none
    if ctype.cname == "void *":
        return _address_or_none
    return None`;

const POINTER = (ffi: string): string => `def _as_pointer(x):  # what ctypes accepted for a pointer: None, an int address, a writable buffer
    if x is None:
        return ${ffi}.NULL
    if isinstance(x, int):
        return ${ffi}.cast("void *", x)
    if isinstance(x, (bytearray, memoryview)):
        return ${ffi}.from_buffer(x)
    return x`;

const FUNCTION = (ffi: string): string => `def _cffi_function(lib, name, errcheck=None):
    """lib.name, called as ctypes called it (argtypes, restype, errcheck)."""
    cfunc = getattr(lib, name)
    ctype = ${ffi}.typeof(cfunc)
    pointers = [i for i, t in enumerate(ctype.args)
                if t.kind in ("pointer", "function")]
    result = _from_c(ctype.result)
    if not pointers and result is None and errcheck is None:
        return cfunc
    arity = len(ctype.args)

    def call(*args):
        if len(args) != arity:
            raise TypeError("%s() takes %d arguments (%d given)"
                            % (name, arity, len(args)))
        cargs = list(args)
        for i in pointers:
            cargs[i] = _as_pointer(cargs[i])
        value = cfunc(*cargs)
        if result is not None:
            value = result(value)
        if errcheck is not None:
            value = errcheck(value, call, args)
        return value

    call.__name__ = name
    return call`;

const VARIADIC = (ffi: string): string => `def _cffi_variadic(lib, name, errcheck=None):
    """lib.name declared with "...": its fixed arguments as _cffi_function passes them, the others as ctypes
    passed them without argtypes (a C int, a double, bytes and buffers by address, None as NULL)."""
    cfunc = getattr(lib, name)
    ctype = ${ffi}.typeof(cfunc)
    pointers = [i for i, t in enumerate(ctype.args)
                if t.kind in ("pointer", "function")]
    result = _from_c(ctype.result)
    arity = len(ctype.args)

    def call(*args):
        if len(args) < arity:
            raise TypeError("%s() takes at least %d arguments (%d given)"
                            % (name, arity, len(args)))
        cargs = list(args)
        for i in pointers:
            cargs[i] = _as_pointer(cargs[i])
        for i in range(arity, len(cargs)):
            cargs[i] = _c_vararg(i, cargs[i])
        value = cfunc(*cargs)
        if result is not None:
            value = result(value)
        if errcheck is not None:
            value = errcheck(value, call, args)
        return value

    call.__name__ = name
    return call


def _c_vararg(i, x):  # one argument in the "..." part, as ctypes passed it
    if isinstance(x, ${ffi}.CData):
        return x
    if isinstance(x, int):  # a C int: ctypes took any value that fits in 64 bits and kept its low 32
        if not -(1 << 63) <= x < (1 << 64):
            raise OverflowError("argument %d: int too long to convert" % (i + 1))
        return ${ffi}.cast("int", x & 0xFFFFFFFF)
    if isinstance(x, float):
        return ${ffi}.cast("double", x)
    if x is None:
        return ${ffi}.NULL
    if isinstance(x, bytes):
        return ${ffi}.new("char[]", x)
    if isinstance(x, (bytearray, memoryview)):
        return ${ffi}.from_buffer(x)
    if isinstance(x, str):
        return ${ffi}.new("wchar_t[]", x)
    raise TypeError("argument %d: Don't know how to convert parameter %d" % (i + 1, i + 1))`;

const CALLBACK = (ffi: string): string => `def _callback_type(signature):
    """What CFUNCTYPE made: called with a Python function, gives a C callback
    that hands it its arguments as ctypes did (int addresses, bytes); keep it
    alive while C may call it."""
    ctype = ${ffi}.typeof(signature)
    converters = [(i, c) for i, c in enumerate(map(_from_c, ctype.args))
                  if c is not None]

    def make(func):
        if not converters:
            return ${ffi}.callback(ctype, func)

        def adapter(*args):
            args = list(args)
            for i, convert in converters:
                args[i] = convert(args[i])
            return func(*args)
        return ${ffi}.callback(ctype, adapter)
    return make`;

const STRING_BUFFER = (): string => `def _string_buffer(init, size=None):  # create_string_buffer as a bytearray: the same bytes, writable
    if isinstance(init, int):
        return bytearray(init)
    if size is None:
        size = len(init) + 1
    if size < len(init):
        raise ValueError("byte string too long")
    return bytearray(init) + bytearray(size - len(init))`;

const VOID_POINTER = (ffi: string): string => `def _void_pointer(x):  # cast(x, c_void_p): None, an address, cdata, or the buffer of bytes/bytearray
    if x is None:
        return ${ffi}.NULL
    if isinstance(x, (int, ${ffi}.CData)):
        return ${ffi}.cast("void *", x)
    return ${ffi}.from_buffer(x)`;

const LIBRARY = (ffi: string): string => `class _CFunction(object):
    """lib.f without argtypes, called as ctypes called it: a Python int goes as a C int, bytes and buffers
    by address, None as NULL; the result is a C int unless restype (a C type name) says otherwise."""

    def __init__(self, cfunc, name):
        self._cfunc = cfunc
        self.__name__ = name
        ctype = ${ffi}.typeof(cfunc)
        self._params = [(t.kind == "pointer", t.cname, t.kind == "pointer" and t.item.kind in ("void", "primitive") and t.item.cname in ("void", "char", "unsigned char", "signed char")) for t in ctype.args]
        self._result = ctype.result
        self.errcheck = None
        self.restype = "int"

    @property
    def restype(self):
        return self._restype

    @restype.setter
    def restype(self, ctype):
        self._restype = ctype
        if self._result.kind == "void" or ctype is None:
            self._convert = _none
        elif ctype == "char *":
            self._convert = _string_or_none
        elif ctype == "void *":
            self._convert = _address_or_none
        elif self._result.kind == "primitive" and self._result.cname == ctype:
            self._convert = None
        elif ctype in ("float", "double"):
            self._convert = lambda value: float(${ffi}.cast(ctype, value))
        else:
            self._convert = lambda value: int(${ffi}.cast(ctype, value))

    def __call__(self, *args):
        params = self._params
        if len(args) != len(params):
            raise TypeError("%s() takes %d arguments (%d given)" % (self.__name__, len(params), len(args)))
        value = self._cfunc(*[_c_argument(i, x, params[i]) for i, x in enumerate(args)])
        if self._convert is not None:
            value = self._convert(value)
        if self.errcheck is not None:
            value = self.errcheck(value, self, args)
        return value


def _none(value):
    return None


def _c_argument(i, x, param):  # one argument as ctypes passed it without argtypes, as the prototype's type
    is_pointer, cname, bytes_ok = param  # not "pointer": under "from ctypes import *" that names ctypes.pointer
    if isinstance(x, ${ffi}.CData):
        return ${ffi}.cast(cname, x)
    if isinstance(x, int):  # a C int: ctypes took any value that fits in 64 bits and kept its low 32
        if not -(1 << 63) <= x < (1 << 64):
            raise OverflowError("argument %d: int too long to convert" % (i + 1))
        return ${ffi}.cast(cname, ${ffi}.cast("int", x & 0xFFFFFFFF))
    if is_pointer:
        if x is None:
            return ${ffi}.NULL
        if isinstance(x, bytes) and bytes_ok:
            return x
        if isinstance(x, (bytes, bytearray, memoryview)):
            return ${ffi}.cast(cname, ${ffi}.from_buffer(x))
        if isinstance(x, str):
            return ${ffi}.cast(cname, ${ffi}.new("wchar_t[]", x))
    elif x is None:
        return ${ffi}.cast(cname, 0)
    raise TypeError("argument %d: Don't know how to convert parameter %d" % (i + 1, i + 1))


class _Library(object):
    """What ctypes.CDLL gave: the functions as attributes (made on first use) and _name; calls go through cffi."""

    def __init__(self, name, flags=0):
        self._name = name
        self._cffi_lib = ${ffi}.dlopen(name, flags)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        f = _CFunction(getattr(self._cffi_lib, name), name)
        setattr(self, name, f)
        return f`;

const CHAR_ARRAY = (): string => `class _CharArray(bytearray):  # what create_string_buffer gave, where it leaves the module: .raw and .value too
    @property
    def raw(self):
        return bytes(self)

    @property
    def value(self):
        return bytes(self).split(b"\\0", 1)[0]


def _char_array(init, size=None):
    if isinstance(init, int):
        return _CharArray(init)
    if size is None:
        size = len(init) + 1
    if size < len(init):
        raise ValueError("byte string too long")
    return _CharArray(bytearray(init) + bytearray(size - len(init)))`;

const BUFFER_MEMORY = (): string => `def _buffer_span(buf, offset, n):  # the bytes memmove/memset/string_at touch; ctypes would reach past the buffer
    if not 0 <= offset <= offset + n <= len(buf):
        raise IndexError("%d bytes at offset %d of a %d-byte buffer" % (n, offset, len(buf)))
    return slice(offset, offset + n)


def _buffer_memmove(buf, offset, src, n):  # ctypes.memmove(addressof(buf) + offset, src, n)
    src = bytes(src)
    if n == len(src) + 1:  # the NUL that ends a bytes object
        src += b"\\0"
    if n > len(src):
        raise IndexError("%d bytes read from a %d-byte source" % (n, len(src)))
    buf[_buffer_span(buf, offset, n)] = src[:n]


def _buffer_memset(buf, offset, c, n):  # ctypes.memset(addressof(buf) + offset, c, n)
    buf[_buffer_span(buf, offset, n)] = bytes([c & 0xFF]) * n


def _buffer_string_at(buf, offset=0, size=-1):  # ctypes.string_at(addressof(buf) + offset, size)
    if size >= 0:
        return bytes(buf[_buffer_span(buf, offset, size)])
    end = buf.find(b"\\0", offset)
    if offset > len(buf) or end < 0:
        raise IndexError("no NUL after offset %d of a %d-byte buffer" % (offset, len(buf)))
    return bytes(buf[offset:end])


def _buffer_set_value(buf, value):  # buf.value = value on a ctypes char array: the bytes, then a NUL if there is room
    value = bytes(value)
    if len(value) > len(buf):
        raise ValueError("byte string too long")
    buf[:len(value)] = value
    if len(value) < len(buf):
        buf[len(value)] = 0`;

const INTEGER = (ffi: string): string => `def _c_integer(ctype, x):  # what ctypes stores in an integer field: an int, truncated to the C type
    if not isinstance(x, int):
        msg = "'%s' object cannot be interpreted as an integer"
        raise TypeError(msg % type(x).__name__)
    return int(${ffi}.cast(ctype, x))`;

const IN_DLL = (ffi: string): string => `def _in_dll(lib, name):  # T.in_dll(lib, name): the variable's address (ctypes' ValueError if missing)
    try:
        return ${ffi}.addressof(lib, name)
    except AttributeError as e:
        raise ValueError(str(e))`;

const STRUCT_AT = (ffi: string): string => `def _struct_at(ctype, x):  # cast(x, POINTER(S)).contents: the struct at x (ctypes' ValueError at NULL)
    p = ${ffi}.cast(ctype, _as_pointer(x))
    if p == ${ffi}.NULL:
        raise ValueError("NULL pointer access")
    return p`;

const READ_FIELD = (ffi: string): string => `def _read_field(p, name):  # S(…).name read at once, while p still owns the struct: bytes for a char array, else lists
    def read(a):
        if ${ffi}.typeof(a).item.kind == "array":
            return [read(row) for row in a]
        return list(a)
    value = getattr(p, name)
    if ${ffi}.typeof(value).item.cname == "char":
        return ${ffi}.string(value)
    return read(value)`;

/** The helpers' text, in dependency order, for the ones a module uses. */
export function runtimeHelpers(used: ReadonlySet<RuntimeHelper>, ffi: string): string[] {
  const out: string[] = [];
  const needFunction = used.has('function') || used.has('variadic');
  const needConverters = needFunction || used.has('callback') || used.has('library');
  const needPointer = needFunction || used.has('pointer') || used.has('structAt');
  if (needConverters) out.push(CONVERTERS(ffi));
  if (needPointer) out.push(POINTER(ffi));
  if (used.has('function')) out.push(FUNCTION(ffi));
  if (used.has('variadic')) out.push(VARIADIC(ffi));
  if (used.has('callback')) out.push(CALLBACK(ffi));
  if (used.has('library')) out.push(LIBRARY(ffi));
  if (used.has('charArray')) out.push(CHAR_ARRAY());
  if (used.has('stringBuffer')) out.push(STRING_BUFFER());
  if (used.has('voidPointer')) out.push(VOID_POINTER(ffi));
  if (used.has('bufferMemory')) out.push(BUFFER_MEMORY());
  if (used.has('integer')) out.push(INTEGER(ffi));
  if (used.has('inDll')) out.push(IN_DLL(ffi));
  if (used.has('structAt')) out.push(STRUCT_AT(ffi));
  if (used.has('readField')) out.push(READ_FIELD(ffi));
  return out;
}

/** Names each helper defines: the check requires every one the output uses to be defined. */
export const HELPER_NAMES = ['_string_or_none', '_address_or_none', '_from_c', '_as_pointer', '_cffi_function', '_cffi_variadic', '_c_vararg', '_callback_type', '_string_buffer', '_void_pointer', '_CFunction', '_c_argument', '_none', '_Library', '_CharArray', '_char_array', '_buffer_span', '_buffer_memmove', '_buffer_memset', '_buffer_string_at', '_buffer_set_value', '_c_integer', '_in_dll', '_struct_at', '_read_field'];
