/**
 * The Python helpers a converted module may need, each emitted only when the module uses it. They keep
 * ctypes' calling convention at the boundary — handles stay int addresses, C strings come back as
 * bytes/str or None, callbacks receive what ctypes gave them — so no cffi object reaches code that
 * expected a ctypes value, while every foreign call goes through cffi.
 */

export type RuntimeHelper = 'pointer' | 'function' | 'callback' | 'stringBuffer' | 'voidPointer' | 'buffer';

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

/** The helpers' text, in dependency order, for the ones a module uses. */
export function runtimeHelpers(used: ReadonlySet<RuntimeHelper>, ffi: string): string[] {
  const out: string[] = [];
  const needConverters = used.has('function') || used.has('callback');
  const needPointer = used.has('function') || used.has('pointer');
  if (needConverters) out.push(CONVERTERS(ffi));
  if (needPointer) out.push(POINTER(ffi));
  if (used.has('function')) out.push(FUNCTION(ffi));
  if (used.has('callback')) out.push(CALLBACK(ffi));
  if (used.has('stringBuffer')) out.push(STRING_BUFFER());
  if (used.has('voidPointer')) out.push(VOID_POINTER(ffi));
  return out;
}

/** Names each helper defines: the check requires every one the output uses to be defined. */
export const HELPER_NAMES = ['_string_or_none', '_address_or_none', '_from_c', '_as_pointer', '_cffi_function', '_callback_type', '_string_buffer', '_void_pointer'];
