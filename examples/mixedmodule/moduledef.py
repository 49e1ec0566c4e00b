"""An RPython mixed module: built into PyPy itself, never a third-party module."""
from pypy.interpreter.mixedmodule import MixedModule


class Module(MixedModule):
    """A demo built-in module."""

    interpleveldefs = {
        'sieve': 'interp_demo.sieve',
    }
    appleveldefs = {
        'DemoError': 'app_demo.DemoError',
    }
