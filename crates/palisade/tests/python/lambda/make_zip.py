"""Writes a zip of the given files: make_zip.py OUT NAME=PATH[:MODE] ... (MODE octal)."""

import sys
import zipfile

out = sys.argv[1]
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
    for spec in sys.argv[2:]:
        name, _, source = spec.partition("=")
        source, _, mode = source.partition(":")
        info = zipfile.ZipInfo(name)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = (0o100000 | int(mode or "644", 8)) << 16
        with open(source, "rb") as f:
            archive.writestr(info, f.read())
