#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only OR MIT
"""Turn ONNX node tests (Debian libonnx-testdata) into engine test cases.

Plays the part of the userspace compiler: reads each test's model.onnx and
.pb tensors with a minimal protobuf reader (python3 stdlib only), maps the
node onto an engine op (NCHW -> NHWC, OIHW -> OHWI, uint8 -> int8 by
subtracting 128 from values and zero points, float scales -> Q31
multiplier and shift as TensorFlow Lite's QuantizeMultiplier does) and
writes a text case file for onnx_test.c. Nodes that cannot map are written
as SKIP cases with the reason.

Usage: onnx_pb2raw.py NODE_TEST_DIR OUT_DIR
"""
import math
import os
import struct
import sys

TESTS = ['test_qlinearconv', 'test_qlinearmatmul_2D', 'test_qlinearmatmul_3D',
         'test_basic_convinteger', 'test_convinteger_with_padding',
         'test_convinteger_without_padding', 'test_matmulinteger',
         'test_quantizelinear', 'test_quantizelinear_axis',
         'test_dequantizelinear', 'test_dequantizelinear_axis']


def varint(b, i):
    r = s = 0
    while True:
        c = b[i]
        i += 1
        r |= (c & 0x7f) << s
        s += 7
        if c < 0x80:
            return r, i


def fields(b):
    i = 0
    while i < len(b):
        k, i = varint(b, i)
        f, w = k >> 3, k & 7
        if w == 0:
            v, i = varint(b, i)
        elif w == 1:
            v = b[i:i + 8]
            i += 8
        elif w == 5:
            v = b[i:i + 4]
            i += 4
        elif w == 2:
            n, i = varint(b, i)
            v = b[i:i + n]
            i += n
        else:
            raise ValueError('unsupported wire type %d' % w)
        yield f, w, v


def packed_varints(v):
    out, i = [], 0
    while i < len(v):
        x, i = varint(v, i)
        out.append(x)
    return out


def s64(x):
    return x - (1 << 64) if x >= 1 << 63 else x


# TensorProto data types
FLOAT, UINT8, INT8, INT32 = 1, 2, 3, 6


def tensor(path):
    dims, dtype, raw, floats, ints = [], None, None, [], []
    for f, w, v in fields(open(path, 'rb').read()):
        if f == 1:
            dims += [s64(x) for x in (packed_varints(v) if w == 2 else [v])]
        elif f == 2:
            dtype = v
        elif f == 4:
            floats += list(struct.unpack('<%df' % (len(v) // 4), v)) if w == 2 \
                else [struct.unpack('<f', v)[0]]
        elif f == 5:
            ints += [s64(x) for x in (packed_varints(v) if w == 2 else [v])]
        elif f == 9:
            raw = v
    if raw is not None:
        if dtype == FLOAT:
            vals = list(struct.unpack('<%df' % (len(raw) // 4), raw))
        elif dtype == UINT8:
            vals = list(raw)
        elif dtype == INT8:
            vals = [x - 256 if x > 127 else x for x in raw]
        elif dtype == INT32:
            vals = list(struct.unpack('<%di' % (len(raw) // 4), raw))
        else:
            raise ValueError('dtype %d' % dtype)
    else:
        vals = floats if dtype == FLOAT else ints
    return dims, dtype, vals


def node(model):
    for f, _, v in fields(open(model, 'rb').read()):
        if f == 7:
            for f2, _, v2 in fields(v):
                if f2 == 1:
                    op, attrs = None, {}
                    for f3, _, v3 in fields(v2):
                        if f3 == 4:
                            op = v3.decode()
                        elif f3 == 5:
                            name, ints, i1 = None, [], None
                            for f4, w4, v4 in fields(v3):
                                if f4 == 1:
                                    name = v4.decode()
                                elif f4 == 3:
                                    i1 = s64(v4)
                                elif f4 == 8:
                                    ints += [s64(x) for x in (packed_varints(v4)
                                                              if w4 == 2 else [v4])]
                            attrs[name] = ints if ints else i1
                    return op, attrs
    raise ValueError('no node')


def quantize_multiplier(m):
    if m == 0:
        return 0, 0
    f, e = math.frexp(m)
    q = int(math.floor(f * (1 << 31) + 0.5))
    if q == 1 << 31:
        q //= 2
        e += 1
    return q, e


def to_s8(vals, dtype):
    return [v - 128 for v in vals] if dtype == UINT8 else list(vals)


def nchw_to_nhwc(v, n, c, h, w):
    return [v[((b * c + ch) * h + y) * w + x]
            for b in range(n) for y in range(h) for x in range(w) for ch in range(c)]


def line(key, nums):
    return key + ' ' + ' '.join(str(int(x)) for x in nums) + '\n'


def conv_case(name, op, attrs, ins, out):
    (xd, xt, xv) = ins[0]
    if op == 'QLinearConv':
        (wd, wt, wv) = ins[3]
        xs, xz = ins[1][2][0], ins[2][2][0]
        ws, wz = ins[4][2], ins[5][2]
        ys, yz = ins[6][2][0], ins[7][2][0]
        bias = ins[8][2] if len(ins) > 8 else None
        if len(ws) != 1 or len(wz) != 1:
            return 'skip %s per-channel QLinearConv weights\n' % name
        wz, ws = wz[0], ws[0]
        ot = out[1]
        m, s = quantize_multiplier(xs * ws / ys)
        tol = 1
    else:  # ConvInteger
        (wd, wt, wv) = ins[1]
        xz = ins[2][2][0] if len(ins) > 2 else 0
        wz = ins[3][2][0] if len(ins) > 3 else 0
        bias, yz, ot = None, 0, INT8
        m, s, tol = 1 << 30, 1, 0
        if any(v < -128 or v > 127 for v in out[2]):
            return 'skip %s int32 outputs exceed int8\n' % name
    n, c, h, w = xd
    oc, ic, kh, kw = wd
    pads = attrs.get('pads') or [0, 0, 0, 0]
    strides = attrs.get('strides') or [1, 1]
    dil = attrs.get('dilations') or [1, 1]
    if attrs.get('group', 1) not in (None, 1):
        return 'skip %s grouped\n' % name
    off = 128 if xt == UINT8 else 0
    woff = 128 if wt == UINT8 else 0
    yoff = 128 if ot == UINT8 else 0
    od = out[0]
    txt = 'case %s conv\n' % name
    txt += line('in', [n, h, w, c, xz - off] + nchw_to_nhwc(to_s8(xv, xt), n, c, h, w))
    wn = [wv[((o * ic + i) * kh + y) * kw + x] - woff
          for o in range(oc) for y in range(kh) for x in range(kw) for i in range(ic)]
    txt += line('w', [oc, kh, kw, ic, wz - woff] + wn)
    txt += line('bias', [len(bias)] + bias) if bias else 'bias 0\n'
    txt += line('par', [strides[0], strides[1], dil[0], dil[1], pads[0], pads[1],
                        pads[2], pads[3]])
    exp = nchw_to_nhwc([v - yoff for v in out[2]], od[0], od[1], od[2], od[3])
    txt += line('out', [od[0], od[2], od[3], od[1], yz - yoff, m, s, tol, yoff] + exp)
    return txt + 'end\n'


def matmul_case(name, op, ins, out):
    (ad, at, av) = ins[0]
    if op == 'QLinearMatMul':
        as_, az = ins[1][2][0], ins[2][2][0]
        (bd, bt, bv) = ins[3]
        bs, bz = ins[4][2][0], ins[5][2][0]
        ys, yz = ins[6][2][0], ins[7][2][0]
        m, s = quantize_multiplier(as_ * bs / ys)
        ot, tol = out[1], 1
    else:
        (bd, bt, bv) = ins[1]
        az = ins[2][2][0] if len(ins) > 2 else 0
        bz = ins[3][2][0] if len(ins) > 3 else 0
        yz, ot, m, s, tol = 0, INT8, 1 << 30, 1, 0
        if any(v < -128 or v > 127 for v in out[2]):
            return 'skip %s int32 outputs exceed int8\n' % name
    aoff = 128 if at == UINT8 else 0
    boff = 128 if bt == UINT8 else 0
    yoff = 128 if ot == UINT8 else 0
    batch = 1 if len(ad) == 2 else ad[0]
    M, K = ad[-2], ad[-1]
    N = bd[-1]
    txt = ''
    for b in range(batch):
        a = [v - aoff for v in av[b * M * K:(b + 1) * M * K]]
        bb = bv[b * K * N:(b + 1) * K * N] if len(bd) == 3 else bv
        wt = [bb[k * N + j] - boff for j in range(N) for k in range(K)]
        y = [v - yoff for v in out[2][b * M * N:(b + 1) * M * N]]
        txt += 'case %s[%d] fc\n' % (name, b)
        txt += line('in', [M, 1, 1, K, az - aoff] + a)
        txt += line('w', [1, 1, N, K, bz - boff] + wt)
        txt += 'bias 0\npar 1 1 1 1 0 0 0 0\n'
        txt += line('out', [M, 1, 1, N, yz - yoff, m, s, tol, yoff] + y) + 'end\n'
    return txt


def main():
    src, dst = sys.argv[1], sys.argv[2]
    os.makedirs(dst, exist_ok=True)
    txt = ''
    for t in TESTS:
        d = os.path.join(src, t)
        if not os.path.isdir(d):
            txt += 'skip %s not installed (apt install libonnx-testdata)\n' % t
            continue
        op, attrs = node(os.path.join(d, 'model.onnx'))
        ds = os.path.join(d, 'test_data_set_0')
        ins = [tensor(os.path.join(ds, 'input_%d.pb' % i))
               for i in range(len([f for f in os.listdir(ds) if f.startswith('input_')]))]
        out = tensor(os.path.join(ds, 'output_0.pb'))
        if op in ('QLinearConv', 'ConvInteger'):
            txt += conv_case(t, op, attrs, ins, out)
        elif op in ('QLinearMatMul', 'MatMulInteger'):
            txt += matmul_case(t, op, ins, out)
        else:
            txt += 'skip %s %s has float input or output; the engine is integer-only\n' % (t, op)
    with open(os.path.join(dst, 'cases.txt'), 'w') as f:
        f.write(txt)


if __name__ == '__main__':
    main()
