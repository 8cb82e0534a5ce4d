#!/usr/bin/env python3
"""Print the modules.dep paths needed to load the named modules, each
after its dependencies.

usage: moddeps.py MODULES_DIR NAME...
"""
import os
import sys


def modname(path):
    base = os.path.basename(path)
    return base.split('.ko')[0].replace('-', '_')


def main():
    if len(sys.argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    moddir, names = sys.argv[1], sys.argv[2:]
    deps, paths = {}, {}
    with open(os.path.join(moddir, 'modules.dep'), encoding='utf-8') as f:
        for line in f:
            mod, _, rest = line.partition(':')
            name = modname(mod)
            paths[name] = mod
            deps[name] = [modname(d) for d in rest.split()]
    builtin = set()
    bpath = os.path.join(moddir, 'modules.builtin')
    if os.path.exists(bpath):
        with open(bpath, encoding='utf-8') as f:
            builtin = {modname(line.strip()) for line in f}

    order, seen = [], set()
    stack = [(modname(n), False) for n in reversed(names)]
    while stack:  # iterative depth-first post-order
        name, done = stack.pop()
        if done:
            order.append(paths[name])
            continue
        if name in seen:
            continue
        seen.add(name)
        if name not in paths:
            if name in builtin:
                continue
            print(f'moddeps: no module {name} in {moddir}', file=sys.stderr)
            return 1
        stack.append((name, True))
        stack.extend((d, False) for d in reversed(deps[name]))
    print('\n'.join(order))
    return 0


if __name__ == '__main__':
    sys.exit(main())
