#!/usr/bin/env python3
"""Checks that every place the version is stamped into agrees with its one definition.

The definition is the file VERSION at the root of the source tree. Each argument names a
stamped copy; the kind is told by the file's name:
  version.h              MT_VERSION_STRING and MAJOR.MINOR.PATCH
  libminitensor.so*      mt_version() of the library, loaded with ctypes
  *.pc                   pkg-config's Version:
  *-config-version.cmake the CMake package's PACKAGE_VERSION
  *.whl                  the wheel's file name and its METADATA's Version
  *.jar                  the manifest's Implementation-Version (sources and javadoc jars: the
                         file name only)
  *.pom                  the POM's <version> and its coordinates org.minitensor:minitensor
  *.nupkg                the .nuspec's <version>
  *.deb                  the package's Version (dpkg-deb)
A directory stands for every such file in it. Prints one line per copy; exits 1 on any
disagreement and 2 on a file it cannot read or a name it does not know.

  check_versions.py --root SRC [--require KIND,...] PATH...
--require lists the kinds (whl, jar, pom, nupkg, deb, ...) that must be among the paths, so a
packaging step that silently made nothing fails too.
"""
import argparse
import ctypes
import pathlib
import re
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
import zipfile

KINDS = {
    "version.h": lambda name: name == "version.h",
    "library": lambda name: re.fullmatch(r"libminitensor\.so(\.\d+)*", name),
    "pc": lambda name: name.endswith(".pc"),
    "cmake": lambda name: name.endswith("-config-version.cmake"),
    "whl": lambda name: name.endswith(".whl"),
    "jar": lambda name: name.endswith(".jar"),
    "pom": lambda name: name.endswith(".pom") or name == "pom.xml",
    "nupkg": lambda name: name.endswith(".nupkg"),
    "deb": lambda name: name.endswith(".deb"),
}


class Unreadable(Exception):
    pass


def kind_of(path):
    for kind, matches in KINDS.items():
        if matches(path.name):
            return kind
    return None


def only(pattern, text, what):
    found = re.search(pattern, text, re.MULTILINE)
    if not found:
        raise Unreadable(f"no {what}")
    return found.group(1)


def xml_text(root, local_name):
    """The text of the first element named local_name, in any XML namespace."""
    for element in root.iter():
        if element.tag.rsplit("}", 1)[-1] == local_name:
            return (element.text or "").strip()
    raise Unreadable(f"no <{local_name}>")


def read_header(path):
    text = path.read_text()
    parts = [
        only(rf"^#define MT_VERSION_{p} (\d+)", text, f"MT_VERSION_{p}")
        for p in ("MAJOR", "MINOR", "PATCH")
    ]
    string = only(r'^#define MT_VERSION_STRING "([^"]*)"', text, "MT_VERSION_STRING")
    if ".".join(parts) != string:
        raise Unreadable(f"MT_VERSION_STRING {string} but MAJOR.MINOR.PATCH {'.'.join(parts)}")
    return string


def read_library(path):
    library = ctypes.CDLL(str(path.resolve()))
    library.mt_version.restype = ctypes.c_char_p
    return library.mt_version().decode()


def read_wheel(path):
    # name-version(-build)?-python-abi-platform.whl
    from_name = path.name.split("-")[1]
    with zipfile.ZipFile(path) as wheel:
        metadata = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
        if len(metadata) != 1:
            raise Unreadable("not one .dist-info/METADATA")
        version = only(r"^Version: (\S+)", wheel.read(metadata[0]).decode(), "Version:")
    if version != from_name:
        raise Unreadable(f"file name says {from_name}, METADATA says {version}")
    return version


def read_jar(path):
    if path.stem.endswith(("-sources", "-javadoc")):
        return only(r"-(\d+\.\d+\.\d+)-(?:sources|javadoc)$", path.stem, "version in the name")
    with zipfile.ZipFile(path) as jar:
        manifest = jar.read("META-INF/MANIFEST.MF").decode()
    return only(r"^Implementation-Version: (\S+)", manifest, "Implementation-Version")


def read_pom(path):
    root = ElementTree.parse(path).getroot()
    coordinates = (xml_text(root, "groupId"), xml_text(root, "artifactId"))
    if coordinates != ("org.minitensor", "minitensor"):
        raise Unreadable(f"coordinates {':'.join(coordinates)}, not org.minitensor:minitensor")
    return xml_text(root, "version")


def read_nupkg(path):
    with zipfile.ZipFile(path) as package:
        specs = [n for n in package.namelist() if n.endswith(".nuspec") and "/" not in n]
        if len(specs) != 1:
            raise Unreadable("not one .nuspec at the package's root")
        return xml_text(ElementTree.fromstring(package.read(specs[0])), "version")


def read_deb(path):
    out = subprocess.run(["dpkg-deb", "-f", str(path), "Version"], capture_output=True, text=True)
    if out.returncode != 0:
        raise Unreadable(out.stderr.strip())
    return out.stdout.strip()


READERS = {
    "version.h": read_header,
    "library": read_library,
    "pc": lambda path: only(r"^Version: (\S+)", path.read_text(), "Version:"),
    "cmake": lambda path: only(
        r'set\(PACKAGE_VERSION "([^"]+)"\)', path.read_text(), "PACKAGE_VERSION"
    ),
    "whl": read_wheel,
    "jar": read_jar,
    "pom": read_pom,
    "nupkg": read_nupkg,
    "deb": read_deb,
}


def stamped_files(paths):
    for path in map(pathlib.Path, paths):
        if path.is_dir():
            yield from sorted(p for p in path.iterdir() if p.is_file() and kind_of(p))
        else:
            yield path


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", required=True, type=pathlib.Path, help="the source tree")
    parser.add_argument("--require", default="", help="kinds that must be present, comma-separated")
    parser.add_argument("paths", nargs="+")
    args = parser.parse_args()
    expected = (args.root / "VERSION").read_text().strip()
    print(f"VERSION: {expected}")
    bad, seen = 0, set()
    for path in stamped_files(args.paths):
        kind = kind_of(path)
        if kind is None:
            print(f"check_versions: do not know what version {path} holds", file=sys.stderr)
            return 2
        try:
            found = READERS[kind](path)
        except (Unreadable, OSError, zipfile.BadZipFile, ElementTree.ParseError) as error:
            print(f"check_versions: {path}: {error}", file=sys.stderr)
            return 2
        seen.add(kind)
        agrees = found == expected
        bad += not agrees
        print(f"{'ok ' if agrees else 'BAD'} {found:10} {kind:9} {path}")
    missing = [k for k in args.require.split(",") if k and k not in seen]
    if missing:
        print(f"check_versions: no {', '.join(missing)} among {args.paths}", file=sys.stderr)
        return 2
    if bad:
        print(f"check_versions: {bad} copies differ from VERSION ({expected})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
