"""Run by scripts/packaging/python.sh with the Python of a fresh venv where the repaired wheel
is installed, from outside the source tree: the package imported is the venv's, its version is
VERSION's (argv[1]), and its native libraries, TBB included, are the wheel's own copies (not the
build tree's, not the system's)."""
import sys
import sysconfig
from pathlib import Path

import minitensor as mt

site = Path(sysconfig.get_paths()["platlib"]).resolve()
failures = []
if not Path(mt.__file__).resolve().is_relative_to(site):
    failures.append(f"minitensor comes from {mt.__file__}, not from {site}")
if mt.__version__ != sys.argv[1]:
    failures.append(f"minitensor.__version__ is {mt.__version__!r}, VERSION says {sys.argv[1]!r}")
mt.set_num_threads(2)  # TBB is loaded and used
if (mt.arange(6).reshape(2, 3) @ mt.ones(3, 1)).tolist() != [[3.0], [12.0]]:
    failures.append("a matmul on two threads gave a wrong result")

# The shared objects mapped now: each of ours must be the wheel's copy.
mapped = {
    Path(line.split(maxsplit=5)[5].strip())
    for line in Path("/proc/self/maps").read_text().splitlines()
    if len(line.split(maxsplit=5)) == 6 and ".so" in line
}
for name in ("_minitensor_native", "libminitensor", "libtbb"):
    paths = sorted(str(path) for path in mapped if path.name.startswith(name))
    if not paths:
        failures.append(f"no {name}*.so is loaded")
    elif any(not Path(path).resolve().is_relative_to(site) for path in paths):
        failures.append(f"{name} is loaded from {paths}, not from the wheel in {site}")
    else:
        print(f"{name}: {', '.join(paths)}")

if failures:
    sys.exit("installed wheel: FAIL: " + "; ".join(failures))
print(f"installed wheel: OK, minitensor {mt.__version__} from {Path(mt.__file__).parent}")
