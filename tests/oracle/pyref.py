#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only OR MIT
"""An independent, slow, pure-Python implementation of TFLite's int8
reference arithmetic for CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED,
AVERAGE_POOL_2D, MAX_POOL_2D and RESHAPE, used to check the oracle.

Written from the arithmetic TFLite documents for int8 (int32
accumulators, QuantizeMultiplier from frexp, the double-rounding
SaturatingRoundingDoublingHighMul + RoundingDivideByPOT requantization,
activation clamps from the output quantization), not from TFLite's code.
If TFLite's reference kernels and this agree bit for bit, neither the
oracle plumbing nor the generator's reading of the schema is off.

  pyref.py MODEL IN0.bin [IN1.bin...]   prints each op's output tensor
"""

import math
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tflite_fb  # noqa: E402

CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED = 3, 4, 9
AVERAGE_POOL_2D, MAX_POOL_2D, RESHAPE = 1, 17, 22
SUPPORTED = {CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, AVERAGE_POOL_2D,
             MAX_POOL_2D, RESHAPE}
OPERATOR_BUILTIN_OPTIONS = 4
MODEL_BUFFERS = 4
INT32_MIN, INT32_MAX = -2 ** 31, 2 ** 31 - 1


class Unsupported(Exception):
    def __init__(self, index, code):
        super().__init__("operator %d has builtin code %d" % (index, code))
        self.index = index
        self.code = code


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


def round_half_away(x):
    return math.floor(x + 0.5) if x >= 0 else -math.floor(-x + 0.5)


def quantize_multiplier(m):
    """(int32 multiplier, shift) with m = multiplier * 2^(shift - 31)."""
    if m == 0:
        return 0, 0
    q, shift = math.frexp(m)
    qf = int(round_half_away(q * (1 << 31)))
    if qf == 1 << 31:
        qf //= 2
        shift += 1
    if shift < -31:
        return 0, 0
    return qf, shift


def srdhm(a, b):
    """SaturatingRoundingDoublingHighMul."""
    if a == b == INT32_MIN:
        return INT32_MAX
    ab = a * b
    v = ab + ((1 << 30) if ab >= 0 else 1 - (1 << 30))
    r = abs(v) >> 31  # C division truncates toward zero
    return r if v >= 0 else -r


def rdpot(x, exponent):
    """RoundingDivideByPOT: round half away from zero."""
    mask = (1 << exponent) - 1
    remainder = x & mask
    threshold = (mask >> 1) + (1 if x < 0 else 0)
    return (x >> exponent) + (1 if remainder > threshold else 0)


def requantize(acc, mult, shift):
    left = shift if shift > 0 else 0
    right = 0 if shift > 0 else -shift
    return rdpot(srdhm(acc * (1 << left), mult), right)


def act_range(act, scale, zp, qmin=-128, qmax=127):
    def q(f):
        return zp + int(round_half_away(f32(f32(f) / scale)))
    lo, hi = qmin, qmax
    if act == 1:        # RELU
        lo = max(lo, q(0.0))
    elif act == 2:      # RELU_N1_TO_1
        lo, hi = max(lo, q(-1.0)), min(hi, q(1.0))
    elif act == 3:      # RELU6
        lo, hi = max(lo, q(0.0)), min(hi, q(6.0))
    elif act != 0:
        raise ValueError("activation %d" % act)
    return lo, hi


def same_pad(size, k, stride, dilation, out):
    eff = (k - 1) * dilation + 1
    return max((out - 1) * stride + eff - size, 0) // 2


class Runner:
    def __init__(self, path):
        self.info = tflite_fb.load(path)
        self.buffers = self.info.model.tables(MODEL_BUFFERS)
        sg = self.info.model.tables(tflite_fb.MODEL_SUBGRAPHS)[0]
        self.op_tables = sg.tables(tflite_fb.SUBGRAPH_OPERATORS)

    def const(self, t, fmt):
        data = bytes(self.buffers[t.buffer].vector(0, "B"))
        return list(struct.unpack("<%d%s" % (len(data) // struct.calcsize(
            fmt), fmt), data))

    def run(self, inputs, stop_at_unsupported=False):
        """inputs: raw bytes per model input. Returns {tensor: values}
        and the index of the first operator not run (None if all ran)."""
        vals = {}
        for ti, data in zip(self.info.inputs, inputs):
            vals[ti] = list(struct.unpack("<%db" % len(data), data))
        for i, (code, ins, outs) in enumerate(self.info.operators):
            if code not in SUPPORTED:
                if stop_at_unsupported:
                    return vals, i
                raise Unsupported(i, code)
            opts = self.op_tables[i].table(OPERATOR_BUILTIN_OPTIONS)
            vals[outs[0]] = self.op(code, ins, outs, opts, vals)
        return vals, None

    def op(self, code, ins, outs, opts, vals):
        tin = self.info.tensors[ins[0]]
        tout = self.info.tensors[outs[0]]
        x = vals[ins[0]]
        if tin.type != "int8" or tout.type != "int8":
            raise ValueError("only int8")
        if code == RESHAPE:
            return list(x)
        izp, ozp = tin.zero_point[0], tout.zero_point[0]
        if code in (AVERAGE_POOL_2D, MAX_POOL_2D):
            return self.pool(code, tin, tout, opts, x)
        tw = self.info.tensors[ins[1]]
        w = self.const(tw, "b")
        bias = None
        if len(ins) > 2 and ins[2] >= 0:
            bias = self.const(self.info.tensors[ins[2]], "i")
        ws = tw.scale
        if code == FULLY_CONNECTED:
            act = opts.scalar(0, "b", 0) if opts else 0
            units, depth = tw.shape
            batches = len(x) // depth
            lo, hi = act_range(act, tout.scale[0], ozp)
            mults = [quantize_multiplier(
                tin.scale[0] * ws[c if len(ws) > 1 else 0] / tout.scale[0])
                for c in range(units)]
            out = []
            for b in range(batches):
                row = x[b * depth:(b + 1) * depth]
                for u in range(units):
                    wr = w[u * depth:(u + 1) * depth]
                    acc = sum(a * (v - izp) for a, v in zip(wr, row))
                    if bias:
                        acc += bias[u]
                    acc = requantize(acc, *mults[u]) + ozp
                    out.append(min(hi, max(lo, acc)))
            return out
        n, h, wd, c = tin.shape
        _, oh, ow, oc = tout.shape
        same = opts.scalar(0, "b", 0) == 0
        sw, sh = opts.scalar(1, "i", 0), opts.scalar(2, "i", 0)
        if code == CONV_2D:
            act = opts.scalar(3, "b", 0)
            dw, dh = opts.scalar(4, "i", 1), opts.scalar(5, "i", 1)
            _, kh, kw, ic = tw.shape
        else:
            act = opts.scalar(4, "b", 0)
            dw, dh = opts.scalar(5, "i", 1), opts.scalar(6, "i", 1)
            _, kh, kw, _ = tw.shape
            mult = oc // c
        ph = same_pad(h, kh, sh, dh, oh) if same else 0
        pw = same_pad(wd, kw, sw, dw, ow) if same else 0
        lo, hi = act_range(act, tout.scale[0], ozp)
        mults = [quantize_multiplier(
            tin.scale[0] * ws[k if len(ws) > 1 else 0] / tout.scale[0])
            for k in range(oc)]
        out = [0] * (n * oh * ow * oc)
        for b in range(n):
            for oy in range(oh):
                for ox in range(ow):
                    taps = []
                    for ky in range(kh):
                        iy = oy * sh - ph + ky * dh
                        if not 0 <= iy < h:
                            continue
                        for kx in range(kw):
                            ix = ox * sw - pw + kx * dw
                            if 0 <= ix < wd:
                                taps.append((ky, kx,
                                             ((b * h + iy) * wd + ix) * c))
                    for o in range(oc):
                        acc = 0
                        for ky, kx, base in taps:
                            if code == CONV_2D:
                                wb = ((o * kh + ky) * kw + kx) * ic
                                for i in range(ic):
                                    acc += w[wb + i] * (x[base + i] - izp)
                            else:
                                acc += (w[(ky * kw + kx) * oc + o] *
                                        (x[base + o // mult] - izp))
                        if bias:
                            acc += bias[o]
                        acc = requantize(acc, *mults[o]) + ozp
                        out[((b * oh + oy) * ow + ox) * oc + o] = \
                            min(hi, max(lo, acc))
        return out

    def pool(self, code, tin, tout, opts, x):
        n, h, wd, c = tin.shape
        _, oh, ow, _ = tout.shape
        same = opts.scalar(0, "b", 0) == 0
        sw, sh = opts.scalar(1, "i", 0), opts.scalar(2, "i", 0)
        fw, fh = opts.scalar(3, "i", 0), opts.scalar(4, "i", 0)
        act = opts.scalar(5, "b", 0)
        lo, hi = act_range(act, tout.scale[0], tout.zero_point[0])
        ph = same_pad(h, fh, sh, 1, oh) if same else 0
        pw = same_pad(wd, fw, sw, 1, ow) if same else 0
        out = []
        for b in range(n):
            for oy in range(oh):
                for ox in range(ow):
                    for ch in range(c):
                        win = [x[((b * h + iy) * wd + ix) * c + ch]
                               for iy in range(oy * sh - ph,
                                               oy * sh - ph + fh)
                               for ix in range(ox * sw - pw,
                                               ox * sw - pw + fw)
                               if 0 <= iy < h and 0 <= ix < wd]
                        if code == MAX_POOL_2D:
                            v = max(win)
                        else:
                            s, k = sum(win), len(win)
                            # Round half away from zero (C division).
                            v = (s + k // 2) // k if s > 0 else \
                                -((-s + k // 2) // k)
                        out.append(min(hi, max(lo, v)))
        return out


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    r = Runner(argv[0])
    inputs = []
    for p in argv[1:]:
        with open(p, "rb") as f:
            inputs.append(f.read())
    vals, stop = r.run(inputs, stop_at_unsupported=True)
    for i, (code, ins, outs) in enumerate(r.info.operators):
        if stop is not None and i >= stop:
            print("op %d: builtin %d not implemented here; stop" % (i, code))
            break
        print("op %d (builtin %d) -> tensor %d: %s" % (
            i, code, outs[0], vals[outs[0]][:16]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
