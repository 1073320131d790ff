"""ctest BindingsPythonInstall: pip-installs the build tree's package directory (argv[1]) into
a fresh virtual environment, offline, then imports it from outside the source and build trees
and runs a small computation.  python3 check_install.py <package directory>"""
import os
import subprocess
import sys
import tempfile

CHECK = """
import minitensor as mt, sys
assert mt.__file__.startswith(sys.prefix), mt.__file__
a = mt.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
loss = (a @ a).sum()
loss.backward()
assert loss.item() == 54.0 and a.grad.tolist() == [[7.0, 11.0], [9.0, 13.0]], a.grad
print("installed minitensor", mt.__version__, "works:", mt.__file__)
"""


def run(command, cwd, env):
    print("+", " ".join(command), flush=True)
    subprocess.run(command, cwd=cwd, env=env, check=True)


def main(package_dir):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # only the venv's copy
    with tempfile.TemporaryDirectory(prefix="mt-install-") as root:
        venv = os.path.join(root, "venv")
        python = os.path.join(venv, "bin", "python")
        run([sys.executable, "-m", "venv", "--system-site-packages", venv], root, env)
        run(
            [
                python,
                "-m",
                "pip",
                "install",
                "--quiet",
                "--no-index",
                "--no-build-isolation",
                package_dir,
            ],
            root,
            env,
        )
        run([python, "-c", CHECK], root, env)


if __name__ == "__main__":
    main(os.path.abspath(sys.argv[1]))
