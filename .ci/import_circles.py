#!/usr/bin/env python3
"""Import circles (a module re-exporting or naming its own descendants is structure, not an import) between files in src/: prints each strongly connected component (>1 file).
Usage: python3 .ci/import_circles.py [ROOT=src] [--edges]; exits 1 when there is a circle."""
import os, re, sys
root = sys.argv[1] if len(sys.argv) > 1 and not sys.argv[1].startswith('-') else 'src'
mods = {}  # module path tuple -> file
for d, _, fs in os.walk(root):
    for f in fs:
        if not f.endswith('.rs'): continue
        p = os.path.join(d, f); rel = os.path.relpath(p, root)[:-3].split(os.sep)
        if rel[-1] == 'mod': rel = rel[:-1]
        if rel in (['lib'], ['main']): rel = []
        mods[tuple(rel)] = p
def strip(s):
    s = re.sub(r'//[^\n]*', '', s); s = re.sub(r'/\*.*?\*/', '', s, flags=re.S)
    return re.sub(r'"(\\.|[^"\\])*"', '""', s)
def expand(prefix, body):
    out, depth, cur = [], 0, ''
    for ch in body:
        if ch == '{': depth += 1
        if ch == '}': depth -= 1
        if ch == ',' and depth == 0: out.append(cur); cur = ''
        else: cur += ch
    out.append(cur); res = []
    for item in out:
        item = item.strip()
        if not item: continue
        m = re.match(r'^([\w:]*?)::\{(.*)\}$', item, re.S)
        if m: res += expand(prefix + m.group(1).split('::'), m.group(2))
        elif item.startswith('{'): res += expand(prefix, item[1:-1])
        else: res.append(prefix + item.split(' as ')[0].strip().split('::'))
    return res
def resolve(cur, segs):
    # cur: module path of file; segs: path segments
    if not segs: return None
    if segs[0] == 'crate': base, segs = [], segs[1:]
    elif segs[0] in ('super', 'self'):
        base = list(cur)
        while segs and segs[0] in ('super', 'self'):
            if segs[0] == 'super': base = base[:-1]
            segs = segs[1:]
    else:
        base = list(cur); # child module?
        if tuple(base + segs[:1]) not in mods: return None
    best = None
    for i in range(len(segs) + 1):
        t = tuple(base + segs[:i])
        if t in mods: best = t
    return best
edges = {}
for mp, f in mods.items():
    src = strip(open(f).read()); deps = set()
    for m in re.finditer(r'\buse\s+([^;]+);', src):
        body = m.group(1).strip()
        for segs in expand([], body):
            segs = [s for s in segs if s and s != '*']
            r = resolve(mp, segs)
            if r is not None and r != mp and r[:len(mp)] != mp: deps.add(r)
    for m in re.finditer(r'\b((?:crate|super|self)(?:::\w+)+)', src):
        r = resolve(mp, m.group(1).split('::'))
        if r is not None and r != mp and r[:len(mp)] != mp: deps.add(r)
    # parent modules declaring children (mod x;) are not imports; skip
    edges[mp] = deps
# Tarjan
idx, low, st, on, out, n = {}, {}, [], set(), [], [0]
sys.setrecursionlimit(10000)
def sc(v):
    idx[v] = low[v] = n[0]; n[0] += 1; st.append(v); on.add(v)
    for w in edges.get(v, ()):
        if w not in idx: sc(w); low[v] = min(low[v], low[w])
        elif w in on: low[v] = min(low[v], idx[w])
    if low[v] == idx[v]:
        c = []
        while True:
            w = st.pop(); on.discard(w); c.append(w)
            if w == v: break
        if len(c) > 1: out.append(c)
for v in list(edges):
    if v not in idx: sc(v)
name = lambda t: mods[t]
for c in out:
    print(f"circle of {len(c)} files: " + ", ".join(sorted(name(t) for t in c)))
    if '--edges' in sys.argv:
        s = set(c)
        for t in sorted(c):
            print("   ", name(t), "->", ", ".join(sorted(name(u) for u in edges[t] if u in s)))
print(f"{len(out)} circles, {sum(len(c) for c in out)} files in circles, {len(mods)} files")
sys.exit(1 if out else 0)
