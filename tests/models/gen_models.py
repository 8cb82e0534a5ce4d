#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only OR MIT
"""Deterministic generator of int8 TFLite models for edgenpu's tests.

Writes one single-op model per op and option combination, a small
multi-op chain and a MobileNet-v2-shaped 224x224 model, all with seeded
random weights and realistic float scales and zero points.

The flatbuffer is written with flatbuffers.Builder (Debian's
python3-flatbuffers) and field slot numbers written by hand. They are
facts from the TFLite schema v3 (the field order of each table; a union
field takes two slots, its type first). No code is generated from the
schema and no schema text is copied.

Usage:
  gen_models.py --out DIR [--list] [--seed N] [--only SUBSTR]...
  gen_models.py --list
  gen_models.py --mobilenet-v2 FILE [--mobilenet-head avgpool|mean]
                [--no-softmax]

Layout written by --out DIR:
  DIR/manifest.json             every model: op, options, inputs, outputs,
                                whether TFLite 2.14 is expected to accept it
  DIR/<name>.tflite             the model (the name encodes op and options)
  DIR/<name>/model.tflite       the same file (hard link)
  DIR/<name>/input<i>.bin       deterministic raw input i
  DIR/<name>/meta.json          this model's manifest entry
The oracle (tests/oracle/run_oracle_tests.py --emit) adds
DIR/<name>/expected<i>.bin, TFLite's reference output i.
"""

import argparse
import hashlib
import json
import math
import os
import random
import struct
import sys

try:
    import flatbuffers
except ImportError:  # pragma: no cover - depends on the host
    sys.exit("gen_models.py: needs Debian's python3-flatbuffers "
             "(run it with /usr/bin/python3)")

# ---------------------------------------------------------------------------
# Facts from the TFLite schema v3.

FILE_IDENTIFIER = b"TFL3"
SCHEMA_VERSION = 3
PLACEHOLDER_FOR_GREATER_OP_CODES = 127

# enum TensorType : byte
TENSOR_TYPE = {"float32": 0, "int32": 2, "uint8": 3, "int64": 4,
               "int16": 7, "int8": 9}
TYPE_SIZE = {"float32": 4, "int32": 4, "uint8": 1, "int64": 8,
             "int16": 2, "int8": 1}
TYPE_RANGE = {"int8": (-128, 127), "uint8": (0, 255),
              "int16": (-32768, 32767)}

# enum BuiltinOperator : int32
OP = {"ADD": 0, "AVERAGE_POOL_2D": 1, "CONCATENATION": 2, "CONV_2D": 3,
      "DEPTHWISE_CONV_2D": 4, "FULLY_CONNECTED": 9, "LOGISTIC": 14,
      "MAX_POOL_2D": 17, "MUL": 18, "RESHAPE": 22, "SOFTMAX": 25,
      "TANH": 28, "PAD": 34, "TRANSPOSE": 39, "MEAN": 40, "SUB": 41,
      "QUANTIZE": 114}

# Operator versions for int8 (TFLite's op_version rules for these
# signatures); every resolver registers a range, so these are the
# versions a converter writes, not a requirement.
OP_VERSION = {"ADD": 2, "AVERAGE_POOL_2D": 2, "CONCATENATION": 2,
              "CONV_2D": 3, "DEPTHWISE_CONV_2D": 3, "FULLY_CONNECTED": 4,
              "LOGISTIC": 2, "MAX_POOL_2D": 2, "MUL": 2, "RESHAPE": 1,
              "SOFTMAX": 2, "TANH": 2, "PAD": 2, "TRANSPOSE": 2, "MEAN": 2,
              "SUB": 2, "QUANTIZE": 1}

# union BuiltinOptions: type index of each options table.
OPTIONS_TYPE = {"Conv2DOptions": 1, "DepthwiseConv2DOptions": 2,
                "Pool2DOptions": 5, "FullyConnectedOptions": 8,
                "SoftmaxOptions": 9, "ConcatenationOptions": 10,
                "AddOptions": 11, "ReshapeOptions": 17, "MulOptions": 21,
                "PadOptions": 22, "TransposeOptions": 26,
                "ReducerOptions": 27, "SubOptions": 28,
                "QuantizeOptions": 89}

# enum Padding : byte; enum ActivationFunctionType : byte
PADDING = {"SAME": 0, "VALID": 1}
ACTIVATION = {"NONE": 0, "RELU": 1, "RELU_N1_TO_1": 2, "RELU6": 3}
ACTS = ("NONE", "RELU", "RELU6", "RELU_N1_TO_1")

# Field slots of the tables written here.
MODEL_VERSION, MODEL_OPERATOR_CODES, MODEL_SUBGRAPHS = 0, 1, 2
MODEL_DESCRIPTION, MODEL_BUFFERS, MODEL_NFIELDS = 3, 4, 5
OPCODE_DEPRECATED_BUILTIN_CODE, OPCODE_VERSION = 0, 2
OPCODE_BUILTIN_CODE, OPCODE_NFIELDS = 3, 4
SUBGRAPH_TENSORS, SUBGRAPH_INPUTS, SUBGRAPH_OUTPUTS = 0, 1, 2
SUBGRAPH_OPERATORS, SUBGRAPH_NAME, SUBGRAPH_NFIELDS = 3, 4, 5
BUFFER_DATA, BUFFER_NFIELDS = 0, 1
TENSOR_SHAPE, TENSOR_TYPE_SLOT, TENSOR_BUFFER, TENSOR_NAME = 0, 1, 2, 3
TENSOR_QUANTIZATION, TENSOR_NFIELDS = 4, 5
QUANT_SCALE, QUANT_ZERO_POINT, QUANT_QUANTIZED_DIMENSION = 2, 3, 6
QUANT_NFIELDS = 7
OPERATOR_OPCODE_INDEX, OPERATOR_INPUTS, OPERATOR_OUTPUTS = 0, 1, 2
OPERATOR_BUILTIN_OPTIONS_TYPE, OPERATOR_BUILTIN_OPTIONS = 3, 4
OPERATOR_NFIELDS = 5

# Options tables: field name -> (slot, kind, default).
OPTIONS_FIELDS = {
    "Conv2DOptions": {"padding": (0, "i8", 0), "stride_w": (1, "i32", 0),
                      "stride_h": (2, "i32", 0),
                      "fused_activation_function": (3, "i8", 0),
                      "dilation_w_factor": (4, "i32", 1),
                      "dilation_h_factor": (5, "i32", 1)},
    "DepthwiseConv2DOptions": {"padding": (0, "i8", 0),
                               "stride_w": (1, "i32", 0),
                               "stride_h": (2, "i32", 0),
                               "depth_multiplier": (3, "i32", 0),
                               "fused_activation_function": (4, "i8", 0),
                               "dilation_w_factor": (5, "i32", 1),
                               "dilation_h_factor": (6, "i32", 1)},
    "Pool2DOptions": {"padding": (0, "i8", 0), "stride_w": (1, "i32", 0),
                      "stride_h": (2, "i32", 0),
                      "filter_width": (3, "i32", 0),
                      "filter_height": (4, "i32", 0),
                      "fused_activation_function": (5, "i8", 0)},
    "FullyConnectedOptions": {"fused_activation_function": (0, "i8", 0),
                              "weights_format": (1, "i8", 0),
                              "keep_num_dims": (2, "bool", False)},
    "SoftmaxOptions": {"beta": (0, "f32", 0.0)},
    "ConcatenationOptions": {"axis": (0, "i32", 0),
                             "fused_activation_function": (1, "i8", 0)},
    "AddOptions": {"fused_activation_function": (0, "i8", 0)},
    "SubOptions": {"fused_activation_function": (0, "i8", 0)},
    "MulOptions": {"fused_activation_function": (0, "i8", 0)},
    "ReshapeOptions": {"new_shape": (0, "vec_i32", None)},
    "ReducerOptions": {"keep_dims": (0, "bool", False)},
    "PadOptions": {},
    "TransposeOptions": {},
    "QuantizeOptions": {},
}


def f32(x):
    """Round a Python float to the float32 the file will hold."""
    return struct.unpack("<f", struct.pack("<f", x))[0]


def prod(shape):
    n = 1
    for d in shape:
        n *= d
    return n


# ---------------------------------------------------------------------------
# Flatbuffer writer.

class Tensor:
    def __init__(self, name, shape, dtype, scale=None, zero_point=None,
                 qdim=0, data=None):
        self.name = name
        self.shape = list(shape)
        self.dtype = dtype
        self.scale = [f32(s) for s in scale] if scale is not None else None
        self.zero_point = list(zero_point) if zero_point is not None else None
        self.qdim = qdim
        self.data = data
        self.index = -1
        # Expected standard deviation in quantization steps: about 74 for
        # uniform random inputs, 40 for what a layer here produces.
        self.std_steps = 40.0

    @property
    def q(self):
        """(scale, zero_point) of a per-tensor quantized tensor."""
        return self.scale[0], self.zero_point[0]

    def describe(self):
        d = {"name": self.name, "shape": self.shape, "type": self.dtype}
        if self.scale is not None:
            if len(self.scale) == 1:
                d["scale"] = self.scale[0]
                d["zero_point"] = self.zero_point[0]
            else:
                d["scales"] = self.scale
                d["zero_points"] = self.zero_point
                d["quantized_dimension"] = self.qdim
        return d


class Model:
    """One subgraph; tensors, operators and buffers, written as schema v3."""

    def __init__(self, description):
        self.description = description
        self.tensors = []
        self.ops = []      # (opcode name, inputs, outputs, opts name, opts)
        self.inputs = []
        self.outputs = []

    def add(self, tensor):
        tensor.index = len(self.tensors)
        self.tensors.append(tensor)
        return tensor

    def op(self, name, inputs, outputs, options_name=None, options=None):
        self.ops.append((name, [t.index if t is not None else -1
                                for t in inputs],
                         [t.index for t in outputs], options_name,
                         options or {}))

    @staticmethod
    def _int_vector(b, values, size=4):
        b.StartVector(size, len(values), size)
        for v in reversed(values):
            if size == 8:
                b.PrependInt64(v)
            else:
                b.PrependInt32(v)
        return b.EndVector()

    @staticmethod
    def _float_vector(b, values):
        b.StartVector(4, len(values), 4)
        for v in reversed(values):
            b.PrependFloat32(v)
        return b.EndVector()

    @staticmethod
    def _offset_vector(b, offsets):
        b.StartVector(4, len(offsets), 4)
        for o in reversed(offsets):
            b.PrependUOffsetTRelative(o)
        return b.EndVector()

    @staticmethod
    def _data_vector(b, data):
        # Buffer.data is force_align 16.
        b.StartVector(1, len(data), 16)
        b.head = b.head - len(data)
        b.Bytes[b.head:b.head + len(data)] = data
        return b.EndVector()

    def _options(self, b, name, values):
        fields = OPTIONS_FIELDS[name]
        vecs = {}
        for key, val in values.items():
            slot, kind, _ = fields[key]
            if kind == "vec_i32":
                vecs[key] = self._int_vector(b, val)
        b.StartObject(max([f[0] for f in fields.values()], default=-1) + 1)
        for key, val in values.items():
            slot, kind, default = fields[key]
            if kind == "i8":
                b.PrependInt8Slot(slot, val, default)
            elif kind == "i32":
                b.PrependInt32Slot(slot, val, default)
            elif kind == "bool":
                b.PrependBoolSlot(slot, val, default)
            elif kind == "f32":
                b.PrependFloat32Slot(slot, val, default)
            elif kind == "vec_i32":
                b.PrependUOffsetTRelativeSlot(slot, vecs[key], 0)
        return b.EndObject()

    def serialize(self):
        size = sum(len(t.data) for t in self.tensors if t.data) + 65536
        b = flatbuffers.Builder(size)

        # Buffers: buffer 0 is the empty buffer every non-constant tensor
        # refers to; each constant tensor gets its own.
        buffer_of = {}
        datas = [None]
        for t in self.tensors:
            if t.data is not None:
                buffer_of[t.index] = len(datas)
                datas.append(t.data)
        buffers = []
        for data in datas:
            vec = self._data_vector(b, data) if data else None
            b.StartObject(BUFFER_NFIELDS)
            if vec is not None:
                b.PrependUOffsetTRelativeSlot(BUFFER_DATA, vec, 0)
            buffers.append(b.EndObject())

        tensors = []
        for t in self.tensors:
            shape = self._int_vector(b, t.shape)
            name = b.CreateString(t.name)
            quant = None
            if t.scale is not None:
                scale = self._float_vector(b, t.scale)
                zp = self._int_vector(b, t.zero_point, 8)
                b.StartObject(QUANT_NFIELDS)
                b.PrependUOffsetTRelativeSlot(QUANT_SCALE, scale, 0)
                b.PrependUOffsetTRelativeSlot(QUANT_ZERO_POINT, zp, 0)
                b.PrependInt32Slot(QUANT_QUANTIZED_DIMENSION, t.qdim, 0)
                quant = b.EndObject()
            b.StartObject(TENSOR_NFIELDS)
            b.PrependUOffsetTRelativeSlot(TENSOR_SHAPE, shape, 0)
            b.PrependInt8Slot(TENSOR_TYPE_SLOT, TENSOR_TYPE[t.dtype], 0)
            b.PrependUint32Slot(TENSOR_BUFFER, buffer_of.get(t.index, 0), 0)
            b.PrependUOffsetTRelativeSlot(TENSOR_NAME, name, 0)
            if quant is not None:
                b.PrependUOffsetTRelativeSlot(TENSOR_QUANTIZATION, quant, 0)
            tensors.append(b.EndObject())

        codes = []
        for name, *_ in self.ops:
            if name not in codes:
                codes.append(name)
        operators = []
        for name, ins, outs, opts_name, opts in self.ops:
            vin = self._int_vector(b, ins)
            vout = self._int_vector(b, outs)
            vopt = self._options(b, opts_name, opts) if opts_name else None
            b.StartObject(OPERATOR_NFIELDS)
            b.PrependUint32Slot(OPERATOR_OPCODE_INDEX, codes.index(name), 0)
            b.PrependUOffsetTRelativeSlot(OPERATOR_INPUTS, vin, 0)
            b.PrependUOffsetTRelativeSlot(OPERATOR_OUTPUTS, vout, 0)
            if vopt is not None:
                b.PrependUint8Slot(OPERATOR_BUILTIN_OPTIONS_TYPE,
                                   OPTIONS_TYPE[opts_name], 0)
                b.PrependUOffsetTRelativeSlot(OPERATOR_BUILTIN_OPTIONS,
                                              vopt, 0)
            operators.append(b.EndObject())

        v_tensors = self._offset_vector(b, tensors)
        v_inputs = self._int_vector(b, [t.index for t in self.inputs])
        v_outputs = self._int_vector(b, [t.index for t in self.outputs])
        v_ops = self._offset_vector(b, operators)
        sg_name = b.CreateString("main")
        b.StartObject(SUBGRAPH_NFIELDS)
        b.PrependUOffsetTRelativeSlot(SUBGRAPH_TENSORS, v_tensors, 0)
        b.PrependUOffsetTRelativeSlot(SUBGRAPH_INPUTS, v_inputs, 0)
        b.PrependUOffsetTRelativeSlot(SUBGRAPH_OUTPUTS, v_outputs, 0)
        b.PrependUOffsetTRelativeSlot(SUBGRAPH_OPERATORS, v_ops, 0)
        b.PrependUOffsetTRelativeSlot(SUBGRAPH_NAME, sg_name, 0)
        subgraph = b.EndObject()

        opcodes = []
        for name in codes:
            code = OP[name]
            b.StartObject(OPCODE_NFIELDS)
            b.PrependInt8Slot(OPCODE_DEPRECATED_BUILTIN_CODE,
                              min(code, PLACEHOLDER_FOR_GREATER_OP_CODES), 0)
            b.PrependInt32Slot(OPCODE_VERSION, OP_VERSION[name], 1)
            b.PrependInt32Slot(OPCODE_BUILTIN_CODE, code, 0)
            opcodes.append(b.EndObject())

        v_opcodes = self._offset_vector(b, opcodes)
        v_subgraphs = self._offset_vector(b, [subgraph])
        desc = b.CreateString(self.description)
        v_buffers = self._offset_vector(b, buffers)
        b.StartObject(MODEL_NFIELDS)
        b.PrependUint32Slot(MODEL_VERSION, SCHEMA_VERSION, 0)
        b.PrependUOffsetTRelativeSlot(MODEL_OPERATOR_CODES, v_opcodes, 0)
        b.PrependUOffsetTRelativeSlot(MODEL_SUBGRAPHS, v_subgraphs, 0)
        b.PrependUOffsetTRelativeSlot(MODEL_DESCRIPTION, desc, 0)
        b.PrependUOffsetTRelativeSlot(MODEL_BUFFERS, v_buffers, 0)
        b.Finish(b.EndObject(), file_identifier=FILE_IDENTIFIER)
        return bytes(b.Output())


# ---------------------------------------------------------------------------
# Layers with realistic random quantization.

def out_size(n, k, stride, dilation, padding):
    eff = (k - 1) * dilation + 1
    if padding == "SAME":
        return (n + stride - 1) // stride
    return (n - eff) // stride + 1


class Net:
    """Builds a Model layer by layer; every activation is int8 unless
    stated, weights are symmetric int8 in [-127, 127], bias int32 with
    scale input_scale * weight_scale (per channel) and zero point 0."""

    def __init__(self, rng, description):
        self.rng = rng
        self.m = Model(description)
        self.n = 0

    def _name(self, base):
        self.n += 1
        return "%s_%d" % (base, self.n)

    def act_scale(self, lo=0.01, hi=0.1):
        return math.exp(self.rng.uniform(math.log(lo), math.log(hi)))

    def act_zp(self, dtype="int8"):
        lo, hi = TYPE_RANGE[dtype]
        return self.rng.randint(lo + 18, hi - 18)

    def input(self, shape, dtype="int8", scale=None, zp=None, name="input"):
        t = self.m.add(Tensor(name, shape, dtype,
                              [scale if scale else self.act_scale()],
                              [self.act_zp(dtype) if zp is None else zp]))
        t.std_steps = 74.0
        self.m.inputs.append(t)
        return t

    def output(self, t):
        self.m.outputs.append(t)

    def activation(self, name, shape, scale, zp, dtype="int8"):
        return self.m.add(Tensor(self._name(name), shape, dtype, [scale],
                                 [zp]))

    def const_i32(self, name, values, shape=None):
        return self.m.add(Tensor(self._name(name),
                                 shape if shape else [len(values)], "int32",
                                 data=struct.pack("<%di" % len(values),
                                                  *values)))

    def _weights(self, name, shape, qdim, per_channel, fan_in):
        """Symmetric int8 weights, per-channel along qdim or per-tensor,
        scaled like He initialisation so activations neither blow up nor
        vanish through a deep network."""
        count = prod(shape)
        data = self.rng.randbytes(count).replace(b"\x80", b"\x81")
        nch = shape[qdim] if per_channel else 1
        base = self.act_scale(0.5, 2.0) / (73.0 * math.sqrt(fan_in))
        scales = [f32(base * self.rng.uniform(0.5, 2.0)) for _ in range(nch)]
        t = self.m.add(Tensor(self._name(name), shape, "int8", scales,
                              [0] * nch, qdim if per_channel else 0, data))
        return t

    def _bias(self, name, in_scale, w_scales, nout, out_real_std):
        """int32 bias, one scale per weight scale, zero point 0."""
        scales = [f32(in_scale * s) for s in w_scales]
        vals = []
        for c in range(nout):
            s = scales[c if len(scales) > 1 else 0]
            real = self.rng.uniform(-0.5, 0.5) * out_real_std
            vals.append(max(-2**31, min(2**31 - 1, round(real / s))))
        return self.m.add(Tensor(self._name(name), [nout], "int32", scales,
                                 [0] * len(scales), 0,
                                 struct.pack("<%di" % nout, *vals)))

    def _out_quant(self, real_std, out_q):
        if out_q is not None:
            return out_q
        # About 40 quantization steps per standard deviation.
        return (real_std / 40.0 * self.rng.uniform(0.8, 1.25),
                self.act_zp())

    def conv2d(self, x, out_ch, kernel=(3, 3), stride=(1, 1),
               padding="SAME", dilation=(1, 1), act="NONE",
               per_channel=True, out_q=None):
        n, h, w, c = x.shape
        kh, kw = kernel
        oh = out_size(h, kh, stride[0], dilation[0], padding)
        ow = out_size(w, kw, stride[1], dilation[1], padding)
        wt = self._weights("conv/weights", [out_ch, kh, kw, c], 0,
                           per_channel, kh * kw * c)
        in_s = x.scale[0]
        mean_ws = sum(wt.scale) / len(wt.scale)
        std = math.sqrt(kh * kw * c) * x.std_steps * in_s * 73 * mean_ws
        bias = self._bias("conv/bias", in_s, wt.scale, out_ch, std)
        os_, ozp = self._out_quant(std, out_q)
        y = self.activation("conv", [n, oh, ow, out_ch], os_, ozp)
        self.m.op("CONV_2D", [x, wt, bias], [y], "Conv2DOptions", {
            "padding": PADDING[padding], "stride_w": stride[1],
            "stride_h": stride[0],
            "fused_activation_function": ACTIVATION[act],
            "dilation_w_factor": dilation[1],
            "dilation_h_factor": dilation[0]})
        return y

    def dwconv(self, x, multiplier=1, kernel=(3, 3), stride=(1, 1),
               padding="SAME", dilation=(1, 1), act="NONE",
               per_channel=True, out_q=None):
        n, h, w, c = x.shape
        kh, kw = kernel
        oc = c * multiplier
        oh = out_size(h, kh, stride[0], dilation[0], padding)
        ow = out_size(w, kw, stride[1], dilation[1], padding)
        # Depthwise weights are [1, kh, kw, c * multiplier], channel dim 3.
        wt = self._weights("dwconv/weights", [1, kh, kw, oc], 3, per_channel,
                           kh * kw)
        in_s = x.scale[0]
        mean_ws = sum(wt.scale) / len(wt.scale)
        std = math.sqrt(kh * kw) * x.std_steps * in_s * 73 * mean_ws
        bias = self._bias("dwconv/bias", in_s, wt.scale, oc, std)
        os_, ozp = self._out_quant(std, out_q)
        y = self.activation("dwconv", [n, oh, ow, oc], os_, ozp)
        self.m.op("DEPTHWISE_CONV_2D", [x, wt, bias], [y],
                  "DepthwiseConv2DOptions", {
                      "padding": PADDING[padding], "stride_w": stride[1],
                      "stride_h": stride[0], "depth_multiplier": multiplier,
                      "fused_activation_function": ACTIVATION[act],
                      "dilation_w_factor": dilation[1],
                      "dilation_h_factor": dilation[0]})
        return y

    def fc(self, x, units, act="NONE", per_channel=False, bias=True,
           out_q=None):
        depth = x.shape[-1]
        batch = prod(x.shape) // depth
        wt = self._weights("fc/weights", [units, depth], 0, per_channel,
                           depth)
        in_s = x.scale[0]
        mean_ws = sum(wt.scale) / len(wt.scale)
        std = math.sqrt(depth) * x.std_steps * in_s * 73 * mean_ws
        b = self._bias("fc/bias", in_s, wt.scale, units, std) if bias else None
        os_, ozp = self._out_quant(std, out_q)
        y = self.activation("fc", [batch, units], os_, ozp)
        self.m.op("FULLY_CONNECTED", [x, wt, b], [y],
                  "FullyConnectedOptions",
                  {"fused_activation_function": ACTIVATION[act]})
        return y

    def binary(self, opname, a, b, act="NONE", out_q=None):
        shape = [max(p, q) for p, q in
                 zip([1] * (len(b.shape) - len(a.shape)) + a.shape,
                     [1] * (len(a.shape) - len(b.shape)) + b.shape)]
        sa, sb = a.scale[0], b.scale[0]
        if opname == "MUL":
            std = a.std_steps * sa * b.std_steps * sb
        else:
            std = math.hypot(a.std_steps * sa, b.std_steps * sb)
        os_, ozp = self._out_quant(std, out_q)
        y = self.activation(opname.lower(), shape, os_, ozp)
        opts = {"ADD": "AddOptions", "SUB": "SubOptions",
                "MUL": "MulOptions"}[opname]
        self.m.op(opname, [a, b], [y], opts,
                  {"fused_activation_function": ACTIVATION[act]})
        return y

    def pool(self, opname, x, filt=(2, 2), stride=(2, 2), padding="VALID",
             act="NONE"):
        n, h, w, c = x.shape
        oh = out_size(h, filt[0], stride[0], 1, padding)
        ow = out_size(w, filt[1], stride[1], 1, padding)
        # Pooling keeps the input's quantization (as converters write it).
        y = self.activation("pool", [n, oh, ow, c], *x.q)
        self.m.op(opname, [x], [y], "Pool2DOptions", {
            "padding": PADDING[padding], "stride_w": stride[1],
            "stride_h": stride[0], "filter_width": filt[1],
            "filter_height": filt[0],
            "fused_activation_function": ACTIVATION[act]})
        return y

    def mean(self, x, axes=(1, 2), keep_dims=True, out_q=None):
        shape = [1 if i in axes else d for i, d in enumerate(x.shape)
                 ] if keep_dims else [d for i, d in enumerate(x.shape)
                                      if i not in axes]
        axis = self.const_i32("mean/axis", list(axes))
        if out_q is None:
            # Averaging shrinks the spread: a finer output scale, and a
            # zero point near where the mean of the input lands.
            out_s = x.scale[0] * self.rng.uniform(0.1, 0.4)
            centre = -0.5 if x.std_steps > 60 else 0.0
            real_mean = x.scale[0] * (centre - x.zero_point[0])
            zp = round(-real_mean / out_s) + self.rng.randint(-20, 20)
            out_q = (out_s, max(-128, min(127, zp)))
        y = self.activation("mean", shape, *out_q)
        self.m.op("MEAN", [x, axis], [y], "ReducerOptions",
                  {"keep_dims": keep_dims})
        return y

    def softmax(self, x, beta=1.0):
        # TFLite int8 softmax: output scale 1/256, zero point -128.
        y = self.activation("softmax", x.shape, 1.0 / 256, -128)
        self.m.op("SOFTMAX", [x], [y], "SoftmaxOptions", {"beta": beta})
        return y

    def logistic(self, x):
        # TFLite int8 logistic: output scale 1/256, zero point -128.
        y = self.activation("logistic", x.shape, 1.0 / 256, -128)
        self.m.op("LOGISTIC", [x], [y])
        return y

    def tanh(self, x):
        # TFLite int8 tanh: output scale 1/128, zero point 0.
        y = self.activation("tanh", x.shape, 1.0 / 128, 0)
        self.m.op("TANH", [x], [y])
        return y

    def reshape(self, x, new_shape, shape_input=True, options=True):
        """options: True for ReshapeOptions, False for none, or the name
        of another (empty) option table, which TFLite ignores."""
        ins = [x]
        if shape_input:
            ins.append(self.const_i32("reshape/shape", new_shape))
        y = self.activation("reshape", new_shape, *x.q)
        if isinstance(options, str):
            self.m.op("RESHAPE", ins, [y], options, {})
        else:
            self.m.op("RESHAPE", ins, [y],
                      "ReshapeOptions" if options else None,
                      {"new_shape": new_shape} if options else None)
        return y

    def concat(self, xs, axis, out_q=None):
        rank = len(xs[0].shape)
        ax = axis % rank
        shape = list(xs[0].shape)
        shape[ax] = sum(x.shape[ax] for x in xs)
        y = self.activation("concat", shape, *(out_q or xs[0].q))
        self.m.op("CONCATENATION", xs, [y], "ConcatenationOptions",
                  {"axis": axis, "fused_activation_function": 0})
        return y

    def pad(self, x, pads):
        flat = [p for pair in pads for p in pair]
        paddings = self.const_i32("pad/paddings", flat, [len(pads), 2])
        shape = [d + a + b for d, (a, b) in zip(x.shape, pads)]
        y = self.activation("pad", shape, *x.q)
        self.m.op("PAD", [x, paddings], [y], "PadOptions", {})
        return y

    def transpose(self, x, perm):
        p = self.const_i32("transpose/perm", perm)
        y = self.activation("transpose", [x.shape[i] for i in perm], *x.q)
        self.m.op("TRANSPOSE", [x, p], [y], "TransposeOptions", {})
        return y

    def quantize(self, x, dtype, scale, zp):
        y = self.activation("quantize", x.shape, scale, zp, dtype)
        self.m.op("QUANTIZE", [x], [y], "QuantizeOptions", {})
        return y


# ---------------------------------------------------------------------------
# The model list. Each entry: name -> (op, options, expect, builder).

def seed_for(seed, name):
    h = hashlib.sha256(("%d:%s" % (seed, name)).encode()).digest()
    return int.from_bytes(h[:8], "little")


def single_op_specs():
    """Yield (name, op, options, builder(net)) for every single-op model."""
    specs = []

    def add(name, op, options, build, expect="accept", note=""):
        specs.append((name, op, options, build, expect, note))

    def act_cycle(i):
        return ACTS[i % len(ACTS)]

    # CONV_2D: stride x padding x dilation x per-channel/per-tensor, each
    # with a fused activation taken in turn (all four appear with every
    # quantization kind), plus kernel shapes, batch 2 and extreme zero
    # points.
    i = 0
    for quant in ("pc", "pt"):
        for stride in (1, 2):
            for padding in ("SAME", "VALID"):
                for dil in (1, 2):
                    act = act_cycle(i + (i // 4))
                    i += 1
                    name = "conv2d_s%d_%s_d%d_%s_%s" % (
                        stride, padding.lower(), dil, act.lower(), quant)
                    opts = {"stride": stride, "padding": padding,
                            "dilation": dil, "activation": act,
                            "per_channel": quant == "pc", "kernel": [3, 3]}

                    def b(net, stride=stride, padding=padding, dil=dil,
                          act=act, quant=quant):
                        x = net.input([1, 9, 11, 5])
                        net.output(net.conv2d(
                            x, 7, (3, 3), (stride, stride), padding,
                            (dil, dil), act, quant == "pc"))
                    add(name, "CONV_2D", opts, b)
    for act in ACTS:
        name = "conv2d_s1_same_d1_%s_pc_act" % act.lower()

        def b(net, act=act):
            x = net.input([1, 6, 6, 4])
            net.output(net.conv2d(x, 6, (3, 3), (1, 1), "SAME", (1, 1), act))
        add(name, "CONV_2D", {"stride": 1, "padding": "SAME", "dilation": 1,
                              "activation": act, "per_channel": True,
                              "kernel": [3, 3]}, b)
    for kname, kern, strd, pad, dil in (
            ("k1x1", (1, 1), (1, 1), "VALID", (1, 1)),
            ("k5x5_s2", (5, 5), (2, 2), "SAME", (1, 1)),
            ("k3x2_s2x1", (3, 2), (2, 1), "SAME", (1, 1)),
            ("k3_d2x1", (3, 3), (1, 1), "VALID", (2, 1))):
        name = "conv2d_%s_%s_pc" % (kname, pad.lower())

        def b(net, kern=kern, strd=strd, pad=pad, dil=dil):
            x = net.input([1, 10, 9, 6])
            net.output(net.conv2d(x, 8, kern, strd, pad, dil, "NONE"))
        add(name, "CONV_2D", {"kernel": list(kern), "stride": list(strd),
                              "padding": pad, "dilation": list(dil),
                              "activation": "NONE", "per_channel": True}, b)

    def b_batch(net):
        x = net.input([2, 7, 7, 3])
        net.output(net.conv2d(x, 4, (3, 3), (2, 2), "SAME", (1, 1), "RELU"))
    add("conv2d_batch2_s2_same_relu_pc", "CONV_2D",
        {"batch": 2, "stride": 2, "padding": "SAME", "activation": "RELU",
         "per_channel": True}, b_batch)

    def b_zp(net):
        x = net.input([1, 5, 5, 3], zp=-128)
        net.output(net.conv2d(x, 4, (3, 3), (1, 1), "SAME", (1, 1), "NONE",
                              True, out_q=(x.scale[0] * 2, 127)))
    add("conv2d_extreme_zp_pc", "CONV_2D",
        {"input_zero_point": -128, "output_zero_point": 127,
         "per_channel": True}, b_zp)

    # DEPTHWISE_CONV_2D: multiplier x stride x padding x dilation, per
    # channel; per-tensor on a subset; every activation.
    i = 0
    for mult in (1, 2):
        for stride in (1, 2):
            for padding in ("SAME", "VALID"):
                for dil in (1, 2):
                    act = act_cycle(i + (i // 4))
                    i += 1
                    for quant in (("pc", "pt") if dil == 1 else ("pc",)):
                        name = "dwconv_m%d_s%d_%s_d%d_%s_%s" % (
                            mult, stride, padding.lower(), dil, act.lower(),
                            quant)
                        opts = {"depth_multiplier": mult, "stride": stride,
                                "padding": padding, "dilation": dil,
                                "activation": act,
                                "per_channel": quant == "pc"}

                        def b(net, mult=mult, stride=stride, padding=padding,
                              dil=dil, act=act, quant=quant):
                            x = net.input([1, 10, 9, 6])
                            net.output(net.dwconv(
                                x, mult, (3, 3), (stride, stride), padding,
                                (dil, dil), act, quant == "pc"))
                        add(name, "DEPTHWISE_CONV_2D", opts, b)
    for act in ACTS:
        def b(net, act=act):
            x = net.input([1, 6, 7, 8])
            net.output(net.dwconv(x, 1, (3, 3), (1, 1), "SAME", (1, 1), act))
        add("dwconv_m1_s1_same_d1_%s_pc_act" % act.lower(),
            "DEPTHWISE_CONV_2D",
            {"depth_multiplier": 1, "stride": 1, "padding": "SAME",
             "dilation": 1, "activation": act, "per_channel": True}, b)

    def b_dwk5(net):
        x = net.input([1, 11, 11, 4])
        net.output(net.dwconv(x, 3, (5, 5), (2, 2), "SAME", (1, 1), "RELU6"))
    add("dwconv_m3_k5_s2_same_relu6_pc", "DEPTHWISE_CONV_2D",
        {"depth_multiplier": 3, "kernel": [5, 5], "stride": 2,
         "padding": "SAME", "activation": "RELU6", "per_channel": True},
        b_dwk5)

    # FULLY_CONNECTED: per-tensor and per-channel, every activation, 2-D,
    # batch and 4-D inputs, no bias.
    for quant in ("pt", "pc"):
        for act in ACTS:
            def b(net, act=act, quant=quant):
                x = net.input([1, 24])
                net.output(net.fc(x, 10, act, quant == "pc"))
            add("fc_%s_%s" % (act.lower(), quant), "FULLY_CONNECTED",
                {"activation": act, "per_channel": quant == "pc"}, b)
    for quant in ("pt", "pc"):
        def b(net, quant=quant):
            x = net.input([3, 16])
            net.output(net.fc(x, 5, "RELU", quant == "pc"))
        add("fc_batch3_relu_%s" % quant, "FULLY_CONNECTED",
            {"batch": 3, "activation": "RELU", "per_channel": quant == "pc"},
            b)

    def b_fc4d(net):
        x = net.input([1, 2, 3, 4])
        net.output(net.fc(x, 6, "NONE", True))
    add("fc_input4d_pc", "FULLY_CONNECTED",
        {"input_shape": [1, 2, 3, 4], "per_channel": True}, b_fc4d)

    def b_fcnb(net):
        x = net.input([1, 20])
        net.output(net.fc(x, 7, "NONE", False, bias=False))
    add("fc_nobias_pt", "FULLY_CONNECTED", {"bias": False}, b_fcnb)

    # ADD, SUB, MUL: same shape and broadcasting, every activation.
    shapes = (("same", [1, 5, 6, 7], [1, 5, 6, 7]),
              ("bcast_c", [1, 5, 6, 7], [1, 1, 1, 7]),
              ("bcast_hw", [1, 5, 6, 7], [1, 5, 6, 1]),
              ("bcast_scalar", [1, 5, 6, 7], [1]),
              ("bcast_rev", [1, 1, 6, 1], [1, 5, 6, 7]),
              ("rank2", [4, 9], [4, 9]))
    for opname in ("ADD", "SUB", "MUL"):
        for j, (sname, sa, sb) in enumerate(shapes):
            act = act_cycle(j + ("ADD", "SUB", "MUL").index(opname))
            name = "%s_%s_%s" % (opname.lower(), sname, act.lower())

            def b(net, opname=opname, sa=sa, sb=sb, act=act):
                a = net.input(sa, name="input_a")
                c = net.input(sb, name="input_b")
                net.output(net.binary(opname, a, c, act))
            add(name, opname, {"shapes": [sa, sb], "activation": act}, b)
        for act in ACTS:
            if act == "NONE":
                continue

            def b(net, opname=opname, act=act):
                a = net.input([1, 4, 4, 5], name="input_a")
                c = net.input([1, 4, 4, 5], name="input_b")
                net.output(net.binary(opname, a, c, act))
            add("%s_same_%s_act" % (opname.lower(), act.lower()), opname,
                {"shapes": [[1, 4, 4, 5]] * 2, "activation": act}, b)

    def b_addc(net):
        a = net.input([1, 4, 5, 6])
        vals = net.rng.randbytes(6)
        c = net.m.add(Tensor("add/const", [1, 1, 1, 6], "int8",
                             [net.act_scale()], [net.act_zp()], 0, vals))
        net.output(net.binary("ADD", a, c, "NONE"))
    add("add_const_bcast_c_none", "ADD",
        {"constant_second_input": True, "shapes": [[1, 4, 5, 6],
                                                   [1, 1, 1, 6]]}, b_addc)

    # AVERAGE_POOL_2D, MAX_POOL_2D.
    for opname, short in (("AVERAGE_POOL_2D", "avgpool"),
                          ("MAX_POOL_2D", "maxpool")):
        for filt in (2, 3):
            for stride in (1, 2):
                for padding in ("SAME", "VALID"):
                    def b(net, opname=opname, filt=filt, stride=stride,
                          padding=padding):
                        x = net.input([1, 9, 10, 5])
                        net.output(net.pool(opname, x, (filt, filt),
                                            (stride, stride), padding))
                    add("%s_f%d_s%d_%s_none" % (short, filt, stride,
                                                padding.lower()),
                        opname, {"filter": filt, "stride": stride,
                                 "padding": padding, "activation": "NONE"},
                        b)
        for act in ACTS[1:]:
            def b(net, opname=opname, act=act):
                # Zero point near the middle and, for RELU_N1_TO_1, a
                # range near [-1, 1], so the clamp bites but not always.
                x = net.input([1, 8, 8, 4], zp=net.rng.randint(-12, 12),
                              scale=(net.act_scale(0.006, 0.012)
                                     if act == "RELU_N1_TO_1" else None))
                net.output(net.pool(opname, x, (3, 3), (2, 2), "SAME", act))
            add("%s_f3_s2_same_%s" % (short, act.lower()), opname,
                {"filter": 3, "stride": 2, "padding": "SAME",
                 "activation": act}, b)

        def b(net, opname=opname):
            x = net.input([1, 7, 7, 16])
            net.output(net.pool(opname, x, (7, 7), (1, 1), "VALID"))
        add("%s_global7x7_valid_none" % short, opname,
            {"filter": 7, "stride": 1, "padding": "VALID",
             "activation": "NONE"}, b)

    # MEAN over H and W.
    for keep in (True, False):
        for requant in (False, True):
            def b(net, keep=keep, requant=requant):
                x = net.input([1, 6, 7, 9])
                net.output(net.mean(x, (1, 2), keep,
                                    None if requant else x.q))
            add("mean_hw_keep%d_%s" % (keep, "requant" if requant
                                       else "samequant"),
                "MEAN", {"axes": [1, 2], "keep_dims": keep,
                         "requantize": requant}, b)

    def b_mean_big(net):
        x = net.input([1, 14, 14, 12])
        net.output(net.mean(x, (1, 2), True))
    add("mean_hw_keep1_requant_14x14", "MEAN",
        {"axes": [1, 2], "keep_dims": True, "requantize": True,
         "input_shape": [1, 14, 14, 12]}, b_mean_big)

    # SOFTMAX, LOGISTIC, TANH (fixed output quantization).
    for beta in (1.0, 0.5, 2.0):
        for shape in ([1, 10], [1, 3, 4, 6]):
            def b(net, beta=beta, shape=shape):
                x = net.input(shape, scale=net.act_scale(0.01, 0.05))
                net.output(net.softmax(x, beta))
            add("softmax_beta%s_rank%d" % (str(beta).replace(".", "p"),
                                           len(shape)),
                "SOFTMAX", {"beta": beta, "shape": shape}, b)
    for opname, fn in (("LOGISTIC", "logistic"), ("TANH", "tanh")):
        for sname, lo, hi in (("small", 0.005, 0.02), ("large", 0.03, 0.1)):
            def b(net, fn=fn, lo=lo, hi=hi):
                x = net.input([1, 4, 5, 6], scale=net.act_scale(lo, hi))
                net.output(getattr(net, fn)(x))
            add("%s_inscale_%s" % (fn, sname), opname,
                {"input_scale_range": [lo, hi]}, b)

    # RESHAPE.
    for rname, src, dst, shape_in, opts in (
            ("flatten_shapetensor", [1, 4, 4, 6], [1, 96], True, True),
            ("to3d_optionsonly", [1, 4, 4, 6], [1, 16, 6], False, True),
            ("unflatten_shapetensor_noopts", [1, 96], [1, 4, 4, 6], True,
             False),
            # Options of another type: TFLite reads the shape tensor.
            ("flatten_shapetensor_padopts", [1, 4, 4, 6], [1, 96], True,
             "PadOptions")):
        def b(net, src=src, dst=dst, shape_in=shape_in, opts=opts):
            x = net.input(src)
            net.output(net.reshape(x, dst, shape_in, opts))
        add("reshape_%s" % rname, "RESHAPE",
            {"from": src, "to": dst, "shape_tensor": shape_in,
             "options": opts}, b)

    # CONCATENATION: axes, input counts, differing quantization.
    for cname, shapes_, axis in (
            ("axis3_2in", ([1, 4, 5, 3], [1, 4, 5, 6]), 3),
            ("axis1_2in", ([1, 2, 5, 3], [1, 4, 5, 3]), 1),
            ("axis2_3in", ([1, 3, 2, 4], [1, 3, 5, 4], [1, 3, 1, 4]), 2),
            ("axism1_2in", ([1, 4, 5, 2], [1, 4, 5, 5]), -1),
            ("axis0_2in", ([1, 3, 3, 2], [2, 3, 3, 2]), 0),
            ("rank2_axis1", ([2, 5], [2, 3]), 1)):
        def b(net, shapes_=shapes_, axis=axis):
            first = net.input(shapes_[0], name="input0")
            xs = [first] + [net.input(s, scale=first.scale[0],
                                      zp=first.zero_point[0],
                                      name="input%d" % (k + 1))
                            for k, s in enumerate(shapes_[1:])]
            net.output(net.concat(xs, axis))
        add("concat_%s_samequant" % cname, "CONCATENATION",
            {"axis": axis, "shapes": list(shapes_), "same_quant": True}, b)
    for cname, shapes_, axis in (
            ("axis3_2in", ([1, 4, 5, 3], [1, 4, 5, 6]), 3),
            ("axis1_3in", ([1, 2, 5, 3], [1, 4, 5, 3], [1, 1, 5, 3]), 1)):
        def b(net, shapes_=shapes_, axis=axis):
            xs = [net.input(s, name="input%d" % k)
                  for k, s in enumerate(shapes_)]
            net.output(net.concat(xs, axis, out_q=(net.act_scale(),
                                                   net.act_zp())))
        add("concat_%s_diffquant" % cname, "CONCATENATION",
            {"axis": axis, "shapes": list(shapes_), "same_quant": False}, b,
            expect="reject",
            note="TFLite 2.14's int8 CONCATENATION requires every input "
                 "to have the output's scale and zero point "
                 "(concatenation.cc Prepare)")

    # PAD.
    for pname, shape, pads in (
            ("hw", [1, 4, 5, 3], [[0, 0], [1, 2], [2, 1], [0, 0]]),
            ("c", [1, 3, 3, 4], [[0, 0], [0, 0], [0, 0], [1, 3]]),
            ("all4d", [1, 3, 4, 2], [[1, 0], [0, 1], [1, 1], [2, 0]]),
            ("rank2", [3, 5], [[1, 1], [0, 2]])):
        def b(net, shape=shape, pads=pads):
            x = net.input(shape)
            net.output(net.pad(x, pads))
        add("pad_%s" % pname, "PAD", {"shape": shape, "paddings": pads}, b)

    # TRANSPOSE.
    for perm, shape in (([0, 3, 1, 2], [1, 3, 4, 5]),
                        ([0, 2, 1, 3], [1, 3, 4, 5]),
                        ([3, 2, 1, 0], [2, 3, 4, 5]),
                        ([1, 0], [6, 7]), ([2, 0, 1], [3, 4, 5])):
        def b(net, perm=perm, shape=shape):
            x = net.input(shape)
            net.output(net.transpose(x, perm))
        add("transpose_%s" % "".join(map(str, perm)), "TRANSPOSE",
            {"perm": perm, "shape": shape}, b)

    # QUANTIZE (requantization between int8 and uint8).
    def b_i8i8(net):
        x = net.input([1, 4, 5, 6])
        net.output(net.quantize(x, "int8", x.scale[0] * 1.7, net.act_zp()))
    add("quantize_i8_to_i8_requant", "QUANTIZE",
        {"from": "int8", "to": "int8"}, b_i8i8)

    def b_i8u8(net):
        x = net.input([1, 4, 5, 6])
        net.output(net.quantize(x, "uint8", x.scale[0],
                                x.zero_point[0] + 128))
    add("quantize_i8_to_u8_shift", "QUANTIZE",
        {"from": "int8", "to": "uint8", "same_scale": True}, b_i8u8)

    def b_i8u8r(net):
        x = net.input([1, 4, 5, 6])
        net.output(net.quantize(x, "uint8", x.scale[0] * 0.6,
                                net.act_zp("uint8")))
    add("quantize_i8_to_u8_requant", "QUANTIZE",
        {"from": "int8", "to": "uint8", "same_scale": False}, b_i8u8r)

    def b_u8i8(net):
        x = net.input([1, 4, 5, 6], dtype="uint8")
        net.output(net.quantize(x, "int8", x.scale[0] * 1.3,
                                net.act_zp()))
    add("quantize_u8_to_i8_requant", "QUANTIZE",
        {"from": "uint8", "to": "int8", "same_scale": False}, b_u8i8)

    def b_u8i8s(net):
        x = net.input([1, 4, 5, 6], dtype="uint8")
        net.output(net.quantize(x, "int8", x.scale[0],
                                x.zero_point[0] - 128))
    add("quantize_u8_to_i8_shift", "QUANTIZE",
        {"from": "uint8", "to": "int8", "same_scale": True}, b_u8i8s)
    return specs


def build_chain(net):
    """conv -> dwconv -> add (residual) -> avgpool -> reshape -> fc ->
    softmax: a small multi-op model for end-to-end tests."""
    x = net.input([1, 16, 16, 3])
    c1 = net.conv2d(x, 8, (3, 3), (2, 2), "SAME", (1, 1), "RELU6")
    d1 = net.dwconv(c1, 1, (3, 3), (1, 1), "SAME", (1, 1), "RELU6")
    p1 = net.conv2d(d1, 8, (1, 1), (1, 1), "VALID", (1, 1), "NONE")
    a1 = net.binary("ADD", c1, p1, "NONE")
    pool = net.pool("AVERAGE_POOL_2D", a1, (8, 8), (1, 1), "VALID")
    flat = net.reshape(pool, [1, 8])
    logits = net.fc(flat, 4, "NONE", False)
    net.output(net.softmax(logits, 1.0))


MOBILENET_V2_BLOCKS = (  # expansion t, channels c, repeats n, stride s
    (1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2),
    (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1))


def build_mobilenet_v2(net, head="avgpool", softmax=True, classes=1000):
    """MobileNet v2 1.0 224x224 shape: inverted residual blocks with
    per-channel convolutions, ReLU6, residual ADDs, then a pooled head."""
    # ReLU6 outputs are quantized as trained models have them: [0, 6] over
    # the int8 range. Without that fixed scale the estimated spread grows
    # layer by layer until ReLU6's range is less than one step and every
    # later tensor is a constant, whatever the input.
    r6 = (6.0 / 255.0, -128)
    x = net.input([1, 224, 224, 3], scale=1.0 / 128, zp=0)
    x = net.conv2d(x, 32, (3, 3), (2, 2), "SAME", (1, 1), "RELU6", out_q=r6)
    for t, c, n, s in MOBILENET_V2_BLOCKS:
        for i in range(n):
            stride = s if i == 0 else 1
            inp = x
            h = x
            if t != 1:
                h = net.conv2d(h, x.shape[3] * t, (1, 1), (1, 1), "VALID",
                               (1, 1), "RELU6", out_q=r6)
            h = net.dwconv(h, 1, (3, 3), (stride, stride), "SAME", (1, 1),
                           "RELU6", out_q=r6)
            h = net.conv2d(h, c, (1, 1), (1, 1), "VALID", (1, 1), "NONE")
            if stride == 1 and inp.shape[3] == c:
                h = net.binary("ADD", inp, h, "NONE")
            x = h
    x = net.conv2d(x, 1280, (1, 1), (1, 1), "VALID", (1, 1), "RELU6",
                   out_q=r6)
    if head == "mean":
        x = net.mean(x, (1, 2), True)
    else:
        x = net.pool("AVERAGE_POOL_2D", x, (7, 7), (1, 1), "VALID")
    x = net.reshape(x, [1, 1280])
    x = net.fc(x, classes, "NONE", False)
    if softmax:
        x = net.softmax(x, 1.0)
    net.output(x)


def all_specs(include_mobilenet=True):
    specs = single_op_specs()
    specs.append(("chain_conv_dwconv_add_avgpool_fc_softmax", "CHAIN",
                  {"ops": ["CONV_2D", "DEPTHWISE_CONV_2D", "CONV_2D", "ADD",
                           "AVERAGE_POOL_2D", "RESHAPE", "FULLY_CONNECTED",
                           "SOFTMAX"]}, build_chain, "accept", ""))
    if include_mobilenet:
        # Logits, not softmax: 1000-way int8 softmax output is almost all
        # -128, a weak bit-exactness check.
        specs.append(("mobilenet_v2_224_avgpool_logits", "MOBILENET_V2",
                      {"head": "avgpool", "softmax": False},
                      lambda net: build_mobilenet_v2(net, "avgpool", False),
                      "accept", ""))
    return specs


def build(seed, name, builder):
    net = Net(random.Random(seed_for(seed, name)), "edgenpu gen_models: " +
              name)
    builder(net)
    return net


def make_inputs(seed, name, model):
    """Deterministic raw inputs covering each input's whole type range."""
    rng = random.Random(seed_for(seed, name + ":inputs"))
    out = []
    for t in model.inputs:
        out.append(rng.randbytes(prod(t.shape) * TYPE_SIZE[t.dtype]))
    return out


def entry(name, op, options, expect, note, model):
    ops = sorted({o[0] for o in model.ops})
    e = {"name": name, "op": op, "ops": ops, "options": options,
         "expect": expect,
         "inputs": [t.describe() for t in model.inputs],
         "outputs": [t.describe() for t in model.outputs]}
    if note:
        e["note"] = note
    return e


def write_all(out, seed, only, include_mobilenet):
    os.makedirs(out, exist_ok=True)
    manifest = []
    for name, op, options, builder, expect, note in all_specs(
            include_mobilenet):
        if only and not any(s in name for s in only):
            continue
        net = build(seed, name, builder)
        data = net.m.serialize()
        flat = os.path.join(out, name + ".tflite")
        with open(flat + ".tmp", "wb") as f:
            f.write(data)
        os.replace(flat + ".tmp", flat)
        d = os.path.join(out, name)
        os.makedirs(d, exist_ok=True)
        tree = os.path.join(d, "model.tflite")
        if os.path.exists(tree):
            os.unlink(tree)
        try:
            os.link(flat, tree)
        except OSError:
            with open(tree, "wb") as f:
                f.write(data)
        for k, buf in enumerate(make_inputs(seed, name, net.m)):
            with open(os.path.join(d, "input%d.bin" % k), "wb") as f:
                f.write(buf)
        e = entry(name, op, options, expect, note, net.m)
        with open(os.path.join(d, "meta.json"), "w") as f:
            json.dump(e, f, indent=1, sort_keys=True)
            f.write("\n")
        manifest.append(e)
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump({"generator": "tests/models/gen_models.py", "seed": seed,
                   "models": manifest}, f, indent=1, sort_keys=True)
        f.write("\n")
    return manifest


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Generate deterministic int8 TFLite test models.")
    ap.add_argument("--out", metavar="DIR",
                    help="write every model, its inputs and manifest.json")
    ap.add_argument("--list", action="store_true",
                    help="print the model names (op and options encoded)")
    ap.add_argument("--seed", type=int, default=1,
                    help="base seed (default 1)")
    ap.add_argument("--only", action="append", metavar="SUBSTR",
                    help="only models whose name contains SUBSTR")
    ap.add_argument("--no-mobilenet", action="store_true",
                    help="leave the 224x224 MobileNet-v2-shaped model out")
    ap.add_argument("--mobilenet-v2", metavar="FILE",
                    help="write only the MobileNet-v2-shaped model to FILE")
    ap.add_argument("--mobilenet-head", choices=("avgpool", "mean"),
                    default="avgpool")
    ap.add_argument("--no-softmax", action="store_true",
                    help="MobileNet-v2-shaped model without final SOFTMAX")
    args = ap.parse_args(argv)
    if not (args.out or args.list or args.mobilenet_v2):
        ap.error("give --out DIR, --list or --mobilenet-v2 FILE")

    if args.mobilenet_v2:
        name = "mobilenet_v2_224_%s%s" % (
            args.mobilenet_head, "" if args.no_softmax else "_softmax")
        net = Net(random.Random(seed_for(args.seed, name)),
                  "edgenpu gen_models: " + name)
        build_mobilenet_v2(net, args.mobilenet_head, not args.no_softmax)
        with open(args.mobilenet_v2, "wb") as f:
            f.write(net.m.serialize())
    if args.list:
        for spec in all_specs(not args.no_mobilenet):
            if not args.only or any(s in spec[0] for s in args.only):
                print(spec[0])
    if args.out:
        models = write_all(args.out, args.seed, args.only,
                           not args.no_mobilenet)
        print("gen_models: wrote %d models to %s" % (len(models), args.out),
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
