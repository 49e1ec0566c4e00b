"""Judges cdefs with cffi itself: reads one JSON list of sources on stdin, writes one JSON verdict per source.

A verdict is {"ok": true} or {"ok": false, "kind": "syntax"|"other", "line": N|None, "message": "..."}:
"syntax" when pycparser could not parse the text (cffi's "cannot parse"/"parse error"), "other" for every
other CDefError/FFIError/NotImplementedError raised by FFI().cdef (cffi's own rules on parsed C).
"""
import json, re, sys, warnings

from cffi import FFI

warnings.simplefilter("ignore")


def judge(src):
    try:
        FFI().cdef(src)
        return {"ok": True}
    except Exception as e:  # cffi raises CDefError, FFIError, NotImplementedError, AssertionError
        msg = str(e)
        m = re.search(r"<cdef source string>:(\d+)", msg)
        syntax = msg.startswith("cannot parse") or msg.startswith("parse error")
        return {"ok": False, "kind": "syntax" if syntax else "other", "line": int(m.group(1)) if m else None,
                "message": type(e).__name__ + ": " + msg.replace("\n", " | ")}


sources = json.load(sys.stdin)
json.dump([judge(s) for s in sources], sys.stdout)
