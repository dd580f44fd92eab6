"""Vendor modules of the simulator: one module per vendor, a file or (a large
vendor) a package of the same name.

Each defines VENDOR (its name, used for its port and in the request
record) and make(sim) returning an object with handle(req) -> base.Response;
it may also define reset() and configure(conf) for /_sim/reset and /_sim/config.
SIM_VENDORS=a,b (environment) loads only those.
"""

import importlib
import os

_HERE = os.path.dirname(os.path.abspath(__file__))


def load_all():
    """Import every vendor module or package in this directory, keyed by VENDOR."""
    mods = {}
    only = [v for v in os.environ.get("SIM_VENDORS", "").split(",") if v]
    for fname in sorted(os.listdir(_HERE)):
        if fname.endswith(".py"):
            name = fname[:-3]
        elif os.path.isfile(os.path.join(_HERE, fname, "__init__.py")):
            name = fname
        else:
            continue
        if name.startswith("_") or name == "base":
            continue
        if only and name not in only:
            continue
        mod = importlib.import_module("vendors." + name)
        if hasattr(mod, "VENDOR") and hasattr(mod, "make"):
            mods[mod.VENDOR] = mod
    # journey first: the harness and demo treat it as the default vendor
    return dict(sorted(mods.items(), key=lambda kv: kv[0] != "journey"))
