#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Independent reference implementations of ARC, CAR, SIEVE, 2Q, LIRS,
S3-FIFO, CLOCK and CLOCK-Pro, written from the papers' pseudocode with Python's
OrderedDict (no shared code with kernels/policy/), and a cross-check that
the C strategies give the same miss counts on seeded random traces.

    ref_policies.py --check PATH/TO/policy_replay   (ctest runs this)
"""
import sys, random
from collections import OrderedDict

def arc(tr, c):
    T1, T2, B1, B2 = OrderedDict(), OrderedDict(), OrderedDict(), OrderedDict()  # last = MRU
    p = 0; miss = 0
    def replace(inb2):
        if T1 and (len(T1) > p or (inb2 and len(T1) == p)):
            k, _ = T1.popitem(last=False); B1[k] = 1
        else:
            k, _ = T2.popitem(last=False); B2[k] = 1
    for x in tr:
        if x in T1: del T1[x]; T2[x] = 1; continue
        if x in T2: T2.move_to_end(x); continue
        miss += 1
        if x in B1:
            d = 1 if len(B1) >= len(B2) else len(B2) / len(B1)
            p = min(p + d, c); replace(False); del B1[x]; T2[x] = 1; continue
        if x in B2:
            d = 1 if len(B2) >= len(B1) else len(B1) / len(B2)
            p = max(p - d, 0); replace(True); del B2[x]; T2[x] = 1; continue
        L1 = len(T1) + len(B1)
        tot = L1 + len(T2) + len(B2)
        if L1 == c:
            if len(T1) < c: B1.popitem(last=False); replace(False)
            else: T1.popitem(last=False)
        elif tot >= c:
            if tot == 2 * c: B2.popitem(last=False)
            replace(False)
        T1[x] = 1
    return miss

def car(tr, c):
    T1, T2 = OrderedDict(), OrderedDict()  # first = clock head (hand), value = ref bit
    B1, B2 = OrderedDict(), OrderedDict()  # last = MRU
    p = 0; miss = 0
    for x in tr:
        if x in T1: T1[x] = 1; continue
        if x in T2: T2[x] = 1; continue
        miss += 1
        ghost = x in B1 or x in B2
        if len(T1) + len(T2) == c:
            while True:
                if len(T1) >= max(1, p):
                    k, r = T1.popitem(last=False)
                    if r == 0: B1[k] = 1; break
                    T2[k] = 0
                else:
                    k, r = T2.popitem(last=False)
                    if r == 0: B2[k] = 1; break
                    T2[k] = 0
            if not ghost and len(T1) + len(B1) == c: B1.popitem(last=False)
            elif not ghost and len(T1) + len(T2) + len(B1) + len(B2) == 2 * c: B2.popitem(last=False)
        if not ghost: T1[x] = 0
        elif x in B1:
            p = min(p + max(1, len(B2) / len(B1)), c); del B1[x]; T2[x] = 0
        else:
            p = max(p - max(1, len(B1) / len(B2)), 0); del B2[x]; T2[x] = 0
    return miss

def sieve(tr, c):
    q = []  # index 0 = tail (oldest) ... end = head
    vis = {}; hand = None; miss = 0
    for x in tr:
        if x in vis: vis[x] = 1; continue
        miss += 1
        if len(q) == c:
            i = hand if hand is not None else 0
            while vis[q[i]]:
                vis[q[i]] = 0
                i = i + 1 if i + 1 < len(q) else 0
            v = q.pop(i); del vis[v]
            hand = i if i < len(q) else None
        q.append(x); vis[x] = 0
    return miss

def twoq(tr, c, kin=0.25, kout=0.5):
    Kin = max(1, int(c * kin)); Kout = max(1, int(c * kout))
    A1in, A1out, Am = OrderedDict(), OrderedDict(), OrderedDict()  # first = oldest
    miss = 0
    def reclaim():
        if len(A1in) > Kin or not Am:
            y, _ = A1in.popitem(last=False); A1out[y] = 1
            if len(A1out) > Kout: A1out.popitem(last=False)
        else:
            Am.popitem(last=False)
    for x in tr:
        if x in Am: Am.move_to_end(x); continue
        if x in A1in: continue
        miss += 1
        full = len(A1in) + len(Am) == c
        if x in A1out:
            del A1out[x]
            if full: reclaim()
            Am[x] = 1
        else:
            if full: reclaim()
            A1in[x] = 1
    return miss

def lirs(tr, c, hirs=0.01):
    Lh = max(1, int(c * hirs)); Ll = c - Lh
    S = OrderedDict()  # last = top; value unused
    Q = OrderedDict()  # last = end; first = front
    state = {}  # 'L', 'H' (resident HIR), 'N' (nonresident HIR in S)
    nlir = 0; res = 0; miss = 0
    def prune():
        while S:
            k = next(iter(S))
            if state.get(k) == 'L': break
            del S[k]
            if state.get(k) == 'N': del state[k]
    def demote():
        nonlocal nlir
        prune()
        k = next(iter(S)); del S[k]; state[k] = 'H'; Q[k] = 1; nlir -= 1; prune()
    for x in tr:
        st = state.get(x)
        if st == 'L':
            bottom = next(iter(S)) == x
            S.move_to_end(x)
            if bottom: prune()
            continue
        if st == 'H':
            if x in S:
                S.move_to_end(x); del Q[x]; state[x] = 'L'; nlir += 1; demote()
            else:
                S[x] = 1; Q.move_to_end(x)
            continue
        miss += 1
        if res == c:
            v, _ = Q.popitem(last=False)
            if v in S: state[v] = 'N'
            else: del state[v]
            res -= 1
        if st == 'N' and x in state:
            S.move_to_end(x); state[x] = 'L'; nlir += 1
            if nlir > Ll: demote()
        else:
            if x in S: S.move_to_end(x)
            else: S[x] = 1
            if nlir < Ll: state[x] = 'L'; nlir += 1; prune()
            else: state[x] = 'H'; Q[x] = 1
        res += 1
    return miss

def s3fifo(tr, c, small=0.1, thr=1):
    import math
    scap = max(1, min(c, math.floor(c * small))); gcap = max(1, c - int(c * small))
    S, M, G = OrderedDict(), OrderedDict(), OrderedDict()  # first = tail (oldest)
    freq = {}; miss = 0
    def evictM():
        while True:
            k = next(iter(M))
            if freq[k] > 0: freq[k] -= 1; M.move_to_end(k)
            else: del M[k]; del freq[k]; return
    def evict():
        if len(S) >= scap:
            while S:
                k, _ = S.popitem(last=False)
                if freq[k] >= thr: freq[k] = 0; M[k] = 1; continue
                del freq[k]; G[k] = 1
                if len(G) > gcap: G.popitem(last=False)
                return
        evictM()
    for x in tr:
        if x in S or x in M: freq[x] = min(freq[x] + 1, 3); continue
        miss += 1
        if len(S) + len(M) == c: evict()
        if x in G: del G[x]; M[x] = 1
        else: S[x] = 1
        freq[x] = 0
    return miss

def clock(tr, c):
    fr = []; ref = []; where = {}; hand = 0; miss = 0
    for x in tr:
        if x in where: ref[where[x]] = 1; continue
        miss += 1
        if len(fr) < c: where[x] = len(fr); fr.append(x); ref.append(0); continue
        while ref[hand]: ref[hand] = 0; hand = (hand + 1) % c
        del where[fr[hand]]; fr[hand] = x; where[x] = hand; ref[hand] = 0; hand = (hand + 1) % c
    return miss


def clockpro(tr, c):
    """CLOCK-Pro on one plain circle (dicts as links), hands as page keys;
    HAND_cold found by walking the circle to the next resident cold page."""
    nxt, prv = {}, {}
    st = {}    # 'H' hot, 'C' resident cold, 'N' non-resident cold
    ref, test = {}, {}
    h = {'hh': None, 'ht': None, 'hc': None}
    mc_max = c - 1 if c > 1 else 1
    cnt = {'mc': min(max(1, c // 100), mc_max), 'nhot': 0, 'nonres': 0, 'res': 0}
    miss = 0

    def mh():
        return c - cnt['mc']

    def unlink(x):
        for k in ('hh', 'ht'):
            if h[k] == x:
                h[k] = None if nxt[x] == x else nxt[x]
        if nxt[x] != x:
            nxt[prv[x]] = nxt[x]
            prv[nxt[x]] = prv[x]
        del nxt[x], prv[x]

    def insert_head(x):
        if h['hh'] is None:
            nxt[x] = prv[x] = x
            h['hh'] = h['ht'] = x
            return
        at = h['hh']
        p = prv[at]
        nxt[p] = x; prv[x] = p; nxt[x] = at; prv[at] = x

    def to_head(x):
        if h['hh'] == x:
            h['hh'] = nxt[x]
            return
        unlink(x)
        insert_head(x)

    def next_cold(x):
        y = nxt[x]
        while y != x:
            if st[y] == 'C':
                return y
            y = nxt[y]
        return None

    def drop(x):
        for d in (st, ref, test):
            d.pop(x, None)

    def end_test(x):
        if test[x]:
            test[x] = 0
            if cnt['mc'] > 1:
                cnt['mc'] -= 1
        if st[x] == 'N':
            unlink(x)
            drop(x)
            cnt['nonres'] -= 1

    def run_hot():
        demoted = False
        while h['hh'] is not None:
            x = h['hh']
            if st[x] == 'H':
                if demoted:
                    return
                h['hh'] = nxt[x]
                if ref[x]:
                    ref[x] = 0
                else:
                    st[x] = 'C'; test[x] = 0; cnt['nhot'] -= 1
                    if h['hc'] is None:
                        h['hc'] = x
                    if cnt['nhot'] <= mh():
                        demoted = True
                    if cnt['nhot'] == 0:
                        return
            elif st[x] == 'N':
                end_test(x)
            else:
                end_test(x)
                h['hh'] = nxt[x]

    def run_test():
        while cnt['nonres'] > c:
            x = h['ht']
            if st[x] == 'N':
                end_test(x)
            else:
                if st[x] == 'C':
                    end_test(x)
                h['ht'] = nxt[x]

    def run_cold():
        while True:
            x = h['hc']
            nc = next_cold(x)
            if not ref[x]:
                h['hc'] = nc
                cnt['res'] -= 1
                if test[x]:
                    st[x] = 'N'; cnt['nonres'] += 1
                else:
                    unlink(x); drop(x)
                return
            ref[x] = 0
            if test[x]:
                test[x] = 0; st[x] = 'H'; cnt['nhot'] += 1
                if cnt['mc'] < mc_max:
                    cnt['mc'] += 1
                h['hc'] = nc
                to_head(x)
                if cnt['nhot'] > mh():
                    run_hot()
            else:
                test[x] = 1
                h['hc'] = nc if nc is not None else x
                to_head(x)

    for x in tr:
        if st.get(x) in ('H', 'C'):
            ref[x] = 1
            continue
        miss += 1
        evicted = False
        if cnt['res'] == c:
            run_cold()
            evicted = True
        if st.get(x) == 'N':
            cnt['nonres'] -= 1
            st[x] = 'H'; test[x] = 0; ref[x] = 0; cnt['nhot'] += 1
            if cnt['mc'] < mc_max:
                cnt['mc'] += 1
            to_head(x)
            cnt['res'] += 1
            if cnt['nhot'] > mh():
                run_hot()
            continue
        ref[x] = 0
        if cnt['nhot'] < mh() and not evicted:
            st[x] = 'H'; test[x] = 0; cnt['nhot'] += 1
            insert_head(x)
        else:
            st[x] = 'C'; test[x] = 1
            insert_head(x)
            if h['hc'] is None:
                h['hc'] = x
        cnt['res'] += 1
        if cnt['nonres'] > c:
            run_test()
    return miss


POLICIES = [('arc', arc), ('car', car), ('sieve', sieve), ('2q', twoq), ('lirs', lirs),
            ('s3fifo', s3fifo), ('clock', clock), ('clockpro', clockpro)]


def gen(seed, n, universe):
    rnd = random.Random(seed)
    tr = []
    for i in range(n):
        u = rnd.random()
        if u < 0.5:
            tr.append(int(universe * rnd.random() ** 3))
        elif u < 0.8:
            tr.append(10000 + (i % 300))
        else:
            tr.append(rnd.randrange(universe))
    return tr


def main():
    import os, subprocess, tempfile
    if len(sys.argv) != 3 or sys.argv[1] != '--check':
        print(__doc__)
        return 2
    tool = sys.argv[2]
    sizes = [1, 2, 5, 17, 64, 200, 450]
    bad = 0
    with tempfile.TemporaryDirectory() as d:
        for seed in (1, 2):
            tr = gen(seed, 30000, 2000)
            path = os.path.join(d, 'trace%d.txt' % seed)
            with open(path, 'w') as f:
                f.write('\n'.join(map(str, tr)) + '\n')
            for name, fn in POLICIES:
                want = [fn(tr, c) for c in sizes]
                out = subprocess.run([tool, path, name] + [str(c) for c in sizes],
                                     capture_output=True, text=True, check=True).stdout
                got = [int(v) for v in out.split()]
                ok = got == want
                bad += not ok
                print('%-7s seed %d %s: C %s, reference %s' % (name, seed, 'ok' if ok else 'MISMATCH',
                                                          got, want))
    print('%d mismatches' % bad)
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
