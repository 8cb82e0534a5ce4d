#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only OR MIT
"""Derive golden values for the engine's SOFTMAX, LOGISTIC and TANH tests.

This is an independent model of TensorFlow Lite's int8 reference
arithmetic, written from the published algorithm (gemmlowp fixedpoint.h and
TFLite's Prepare() scaling rules) with Python's unbounded integers and
explicit rounding rules, sharing no code with the engine. It prints C
arrays for tests/common/engine_vectors.h.
"""
import math

I32_MIN, I32_MAX = -2**31, 2**31 - 1


def wrap(x):
    x &= 0xffffffff
    return x - 2**32 if x & 0x80000000 else x


def trunc_div(a, b):
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


def srdhm(a, b):
    if a == b == I32_MIN:
        return I32_MAX
    ab = a * b
    nudge = 2**30 if ab >= 0 else 1 - 2**30
    return trunc_div(ab + nudge, 2**31)


def rdbpot(x, e):
    # round half away from zero of x / 2^e
    if e == 0:
        return x
    num, den = abs(x), 2**e
    r = num // den
    if (num - r * den) * 2 >= den:
        r += 1
    return r if x >= 0 else -r


def srmbpot(x, e):
    if e > 0:
        return max(I32_MIN, min(I32_MAX, x * 2**e))
    return rdbpot(x, -e)


def exp_quarter(a):
    ct, c13 = 1895147668, 715827883
    x = a + 2**28
    x2 = srdhm(x, x); x3 = srdhm(x2, x); x4 = srdhm(x2, x2)
    x4o4 = srmbpot(x4, -2)
    poly = srmbpot(srdhm(x4o4 + x3, c13) + x2, -1)
    return ct + srdhm(ct, x + poly)


def exp_neg(a, ib):
    frac = 31 - ib
    q = 2**(frac - 2)
    amod = (a & (q - 1)) - q   # Python & on negatives is two's complement
    res = exp_quarter(srmbpot(amod, ib))
    rem = amod - a
    mults = {-2: 1672461947, -1: 1302514674, 0: 790015084, 1: 290630308,
             2: 39332535, 3: 720401, 4: 242}
    for e in range(-2, 5):
        if ib > e and rem & (2**(frac + e)):
            res = srdhm(res, mults[e])
    if ib > 5 and a < -(2**(frac + 5)):
        res = 0
    if a == 0:
        res = I32_MAX
    return res


def nr(hd):
    x = 1515870810 + srdhm(hd, -1010580540)
    for _ in range(3):
        hdx = srdhm(hd, x)
        om = 2**29 - hdx
        x = x + srmbpot(srdhm(x, om), 2)
    return x


def half_sum(a, b):
    s = a + b
    return trunc_div(s + (1 if s >= 0 else -1), 2)


def one_over_one_plus_x(a):
    return srmbpot(nr(half_sum(a, I32_MAX)), 1)


def one_minus_x_over_one_plus_x(a):
    return srmbpot(nr(half_sum(a, I32_MAX)) - 2**29, 2)


def logistic(a, ib):
    if a == 0:
        return 2**30
    pos = one_over_one_plus_x(exp_neg(-abs(a), ib))
    return pos if a > 0 else I32_MAX - pos


def tanh(a, ib):
    if a == 0:
        return 0
    t = one_minus_x_over_one_plus_x(exp_neg(-abs(a), ib + 1))
    return -t if a < 0 else t


def quantize_multiplier(m):
    if m == 0:
        return 0, 0
    f, e = math.frexp(m)
    q = round(f * 2**31)   # TfLiteRound: half away from zero (positive here)
    if q == 2**31:
        q //= 2; e += 1
    return q, e


def mbqm(x, m, s):
    left, right = max(s, 0), max(-s, 0)
    return rdbpot(srdhm(wrap(x * 2**left), m), right)


def calc_radius(ib, shift, total=31):
    return math.floor(((1 << ib) - 1) * (1 << (total - ib)) / (1 << shift))


def softmax_params(beta, scale):
    real = min(beta * scale * (1 << (31 - 5)), (1 << 31) - 1.0)
    q, shift = quantize_multiplier(real)   # GreaterThanOne: shift >= 0
    return q, shift, -calc_radius(5, shift)


def softmax_row(xs, mult, shift, diff_min):
    mx = max(xs)
    s = 0
    for v in xs:
        d = v - mx
        if d >= diff_min:
            s += rdbpot(exp_neg(srdhm(d * 2**shift, mult), 5), 12)
    hp1 = 32 - s.bit_length()
    bou = 12 - hp1
    scale = one_over_one_plus_x(wrap((s << hp1) - 2**31))
    out = []
    for v in xs:
        d = v - mx
        if d >= diff_min:
            e = exp_neg(srdhm(d * 2**shift, mult), 5)
            o = rdbpot(srdhm(scale, e), bou + 31 - 8) - 128
            out.append(max(-128, min(127, o)))
        else:
            out.append(-128)
    return out


def act_params(scale):
    # TFLite Micro's int8 LOGISTIC/TANH Prepare: 4 integer bits.
    f, e = math.frexp(scale * (1 << (31 - 4)))
    q = round(f * 2**31)
    if q == 2**31:
        q //= 2; e += 1
    return q, e, calc_radius(4, e, 31)


def act(kind, x, zp, mult, shift, radius):
    i = x - zp
    if i <= -radius:
        return -128
    if i >= radius:
        return 127
    q4 = mbqm(i, mult, shift)
    if kind == 'logistic':
        return max(-128, min(127, rdbpot(logistic(q4, 4), 23) - 128))
    return max(-128, min(127, rdbpot(tanh(q4, 4), 24)))


def carr(name, vals, per=12):
    lines = []
    for i in range(0, len(vals), per):
        lines.append('\t' + ', '.join(str(v) for v in vals[i:i + per]) + ',')
    return 'static const s8 %s[%d] = {\n%s\n};' % (name, len(vals), '\n'.join(lines))


if __name__ == '__main__':
    m, s, dmin = softmax_params(1.0, 0.1)
    print('/* softmax: beta 1.0, input scale 0.1 */')
    print('#define GOLD_SOFTMAX_MULT %d\n#define GOLD_SOFTMAX_SHIFT %d\n'
          '#define GOLD_SOFTMAX_DIFF_MIN %d' % (m, s, dmin))
    rows = [[-128 + 3 * i for i in range(16)],
            [0, 0, 0, 0, 10, -10, 127, -128, 50, 51, 52, 53, 1, 2, 3, 4],
            [5] * 16,
            [127, -128] + [0] * 14]
    flat_in = [v for r in rows for v in r]
    flat_out = [v for r in rows for v in softmax_row(r, m, s, dmin)]
    print(carr('gold_softmax_in', flat_in))
    print(carr('gold_softmax_out', flat_out))
    m2, s2, dmin2 = softmax_params(1.0, 1.0 / 16)
    r2 = [((i * 37) % 256) - 128 for i in range(40)]
    print('#define GOLD_SOFTMAX2_MULT %d\n#define GOLD_SOFTMAX2_SHIFT %d\n'
          '#define GOLD_SOFTMAX2_DIFF_MIN %d' % (m2, s2, dmin2))
    print(carr('gold_softmax2_in', r2))
    print(carr('gold_softmax2_out', softmax_row(r2, m2, s2, dmin2)))
    for kind, scale, zp in (('logistic', 0.1, 0), ('logistic', 0.05, -20),
                            ('tanh', 0.05, 0), ('tanh', 0.1, 10)):
        mm, ss, rr = act_params(scale)
        tag = '%s_%d' % (kind, int(scale * 100))
        print('/* %s: input scale %g, zero point %d */' % (kind, scale, zp))
        print('#define GOLD_%s_MULT %d\n#define GOLD_%s_SHIFT %d\n'
              '#define GOLD_%s_RADIUS %d\n#define GOLD_%s_ZP %d' %
              (tag.upper(), mm, tag.upper(), ss, tag.upper(), rr, tag.upper(), zp))
        print(carr('gold_%s' % tag,
                   [act(kind, x, zp, mm, ss, rr) for x in range(-128, 128)]))
