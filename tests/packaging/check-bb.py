#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A small BitBake-syntax checker for packaging/yocto/*.bb (Debian has no
bitbake). It parses the recipe the way BitBake's ConfHandler/BBHandler
do for the constructs the recipe may use (assignments with = ?= ??= :=
+= =+ .= =. and :append/:prepend/:remove overrides, inherit, shell and
python functions, line continuations, comments) and checks:
  - every line parses, quotes and braces balance;
  - the file name's version is the project's VERSION;
  - the required variables are set; old override syntax (_append) is
    absent; every ${VAR} the shell functions use is set here or by
    the classes the recipe inherits (a known list);
  - LIC_FILES_CHKSUM's md5s match the tree;
  - each shell function passes `bash -n`;
  - every make target the functions name exists (make -n).
Prints TAP.  usage: check-bb.py RECIPE TOPDIR
"""
import hashlib
import os
import re
import subprocess
import sys

recipe, top = sys.argv[1], sys.argv[2]
n = 0
failed = 0


def ok(cond, desc, detail=""):
    global n, failed
    n += 1
    print(("ok" if cond else "not ok") + f" {n} - {desc}")
    if not cond:
        failed += 1
        for line in str(detail).splitlines()[:30]:
            print("# " + line)


ASSIGN = re.compile(
    r'^(export\s+)?(?P<var>[A-Za-z0-9_${}\-+.@/]+(?::[A-Za-z0-9_${}\-+.]+)*)'
    r'(\[(?P<flag>[A-Za-z0-9_\-]+)\])?\s*'
    r'(?P<op>\?\?=|\?=|:=|\+=|=\+|\.=|=\.|=)\s*(?P<val>.*)$')
FUNC = re.compile(r'^(?P<py>python\s+)?(?P<name>[A-Za-z0-9_${}\-:]+)\s*\(\s*\)\s*\{\s*$')
INHERIT = re.compile(r'^inherit\s+(?P<classes>[A-Za-z0-9_\-\s${}]+)$')

text = open(recipe).read()
lines = text.split("\n")
vars_set = {}
funcs = {}
inherits = []
errors = []
i = 0
while i < len(lines):
    raw = lines[i]
    lineno = i + 1
    i += 1
    if not raw.strip() or raw.lstrip().startswith("#"):
        continue
    m = FUNC.match(raw)
    if m:
        body = []
        while i < len(lines) and lines[i] != "}":
            body.append(lines[i])
            i += 1
        if i >= len(lines):
            errors.append(f"{lineno}: function {m.group('name')} never closed by a '}}' line")
            break
        i += 1
        funcs[m.group("name")] = ("python" if m.group("py") else "sh", "\n".join(body), lineno)
        continue
    m = INHERIT.match(raw)
    if m:
        inherits += m.group("classes").split()
        continue
    # Logical line: backslash continuations.
    logical = raw
    while logical.endswith("\\"):
        if i >= len(lines):
            errors.append(f"{lineno}: continuation at end of file")
            break
        logical = logical[:-1] + " " + lines[i].strip()
        i += 1
    m = ASSIGN.match(logical)
    if not m:
        errors.append(f"{lineno}: cannot parse: {raw}")
        continue
    val = m.group("val").strip()
    if not (len(val) >= 2 and val[0] == val[-1] and val[0] in "\"'"):
        errors.append(f"{lineno}: value of {m.group('var')} is not one quoted string: {val}")
        continue
    inner = val[1:-1]
    if val[0] == '"' and re.search(r'(?<!\\)"', inner):
        errors.append(f"{lineno}: stray double quote in {m.group('var')}")
    if inner.count("${") != inner.count("}") and "${@" not in inner:
        errors.append(f"{lineno}: unbalanced ${{...}} in {m.group('var')}")
    var = m.group("var")
    if re.search(r'_(append|prepend|remove)$', var):
        errors.append(f"{lineno}: old override syntax {var} (use :append)")
    vars_set[var.split(":")[0]] = inner
ok(not errors, f"{os.path.basename(recipe)} parses ({len(vars_set)} variables, "
   f"{len(funcs)} functions, inherits {' '.join(inherits)})", "\n".join(errors))

version = open(os.path.join(top, "VERSION")).read().strip()
m = re.match(r'^([a-z0-9\-]+)_([0-9][^_]*)\.bb$', os.path.basename(recipe))
ok(m is not None and m.group(2) == version,
   f"the recipe's file name carries VERSION ({version})", os.path.basename(recipe))

required = ["SUMMARY", "LICENSE", "LIC_FILES_CHKSUM", "SRC_URI", "S"]
missing = [v for v in required if v not in vars_set]
ok(not missing and "module" in inherits and "libdrm" in vars_set.get("DEPENDS", ""),
   "SUMMARY, LICENSE, LIC_FILES_CHKSUM, SRC_URI, S set; inherits module; DEPENDS on libdrm",
   f"missing: {missing}, inherits {inherits}")

# LIC_FILES_CHKSUM: file://PATH;beginline=A;endline=B;md5=X
bad = []
entries = vars_set.get("LIC_FILES_CHKSUM", "").split()
for e in entries:
    parts = e.split(";")
    path = parts[0][len("file://"):]
    opts = dict(p.split("=", 1) for p in parts[1:])
    try:
        flines = open(os.path.join(top, path), "rb").read().split(b"\n")
    except OSError as err:
        bad.append(f"{path}: {err}")
        continue
    b = int(opts.get("beginline", 1))
    e_ = int(opts.get("endline", len(flines)))
    data = b"\n".join(flines[b - 1:e_]) + b"\n"
    md5 = hashlib.md5(data).hexdigest()
    if md5 != opts.get("md5"):
        bad.append(f"{path}: md5 {md5}, recipe says {opts.get('md5')}")
ok(entries and not bad, f"LIC_FILES_CHKSUM: {len(entries)} checksums match the tree", "\n".join(bad))

# Variables the shell functions use: set here, or by bitbake.conf and
# the inherited classes (module, module-base, kernel-module-split,
# pkgconfig).
KNOWN = set("""S B D WORKDIR PN PV bindir libdir includedir mandir sysconfdir prefix
nonarch_base_libdir base_libdir datadir CC AR LD STAGING_KERNEL_DIR
STAGING_KERNEL_BUILDDIR KERNEL_VERSION KERNEL_CC KERNEL_LD KERNEL_AR
KERNEL_OBJCOPY CFLAGS LDFLAGS""".split())
unknown = []
for name, (kind, body, _) in funcs.items():
    for v in re.findall(r'\$\{([A-Za-z0-9_]+)\}', body):
        if v not in vars_set and v not in KNOWN:
            unknown.append(f"{name}: ${{{v}}}")
ok(not unknown, "every ${VAR} of the functions is defined", "\n".join(unknown))

# bash -n on each shell function (oe_runmake is a function of the build).
errs = []
for name, (kind, body, lineno) in funcs.items():
    if kind != "sh":
        continue
    script = "oe_runmake() { :; }\n" + body + "\n"
    p = subprocess.run(["bash", "-n"], input=script, text=True, capture_output=True)
    if p.returncode:
        errs.append(f"{name} (line {lineno}): {p.stderr}")
ok(funcs and not errs, f"shell functions pass bash -n ({', '.join(funcs)})", "\n".join(errs))

# The project's make targets the functions call exist: make -n each
# `oe_runmake -C ${S} ... TARGET`, the variables stubbed.
stub = {"S": top, "B": "/tmp/bb-B", "D": "/tmp/bb-D", "CC": "gcc", "AR": "ar",
        "prefix": "/usr", "bindir": "/usr/bin", "libdir": "/usr/lib", "includedir": "/usr/include",
        "mandir": "/usr/share/man", "sysconfdir": "/etc", "nonarch_base_libdir": "/lib"}


def expand(s, depth=0):
    def rep(m):
        v = m.group(1)
        if v in stub:
            return stub[v]
        if v in vars_set and depth < 5:
            return expand(vars_set[v], depth + 1)
        return m.group(0)
    return re.sub(r'\$\{([A-Za-z0-9_]+)\}', rep, s)


mk_errs = []
targets = []
for name, (kind, body, _) in funcs.items():
    flat = re.sub(r'\\\n\s*', ' ', body)
    for line in flat.split("\n"):
        line = line.strip()
        if not line.startswith("oe_runmake -C ${S}"):
            continue
        args = expand(line[len("oe_runmake"):])
        p = subprocess.run(f"make -n {args}", shell=True, text=True, capture_output=True)
        targets.append(args.split()[-1])
        if p.returncode:
            mk_errs.append(f"{name}: make -n {args}: {p.stderr.strip()[-400:]}")
ok(targets and not mk_errs, f"the project's make targets exist (make -n: {' '.join(targets)})",
   "\n".join(mk_errs))

print(f"1..{n}")
sys.exit(1 if failed else 0)
