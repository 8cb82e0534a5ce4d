# SPDX-License-Identifier: GPL-2.0-only OR MIT
"""Minimal read-only view of a TFLite flatbuffer, for the oracle tests.

Reads just what the tests need (tensors, their quantization, operators,
subgraph inputs and outputs) with flatbuffers.table.Table and field slot
numbers from the TFLite schema v3. Every table also records where it
lives in the file, so fix_person_detect.py can patch a field in place.
"""

import struct

from flatbuffers import table as fbtable

TYPE_NAMES = {0: "float32", 1: "float16", 2: "int32", 3: "uint8",
              4: "int64", 6: "bool", 7: "int16", 9: "int8"}
TYPE_SIZE = {"float32": 4, "float16": 2, "int32": 4, "uint8": 1,
             "int64": 8, "bool": 1, "int16": 2, "int8": 1}

# Field slots (TFLite schema v3).
MODEL_OPERATOR_CODES, MODEL_SUBGRAPHS, MODEL_BUFFERS = 1, 2, 4
OPCODE_DEPRECATED_BUILTIN_CODE, OPCODE_BUILTIN_CODE = 0, 3
SUBGRAPH_TENSORS, SUBGRAPH_INPUTS, SUBGRAPH_OUTPUTS = 0, 1, 2
SUBGRAPH_OPERATORS = 3
TENSOR_SHAPE, TENSOR_TYPE, TENSOR_BUFFER, TENSOR_NAME = 0, 1, 2, 3
TENSOR_QUANTIZATION = 4
QUANT_SCALE, QUANT_ZERO_POINT, QUANT_QUANTIZED_DIMENSION = 2, 3, 6
OPERATOR_OPCODE_INDEX, OPERATOR_INPUTS, OPERATOR_OUTPUTS = 0, 1, 2

DEPTHWISE_CONV_2D = 4


class FormatError(Exception):
    pass


def _voff(slot):
    return 4 + 2 * slot


class Table:
    def __init__(self, buf, pos):
        if not 0 <= pos <= len(buf) - 4:
            raise FormatError("table offset %d out of range" % pos)
        self.buf = buf
        self.pos = pos
        self.t = fbtable.Table(buf, pos)

    def field_pos(self, slot):
        """Absolute file offset of a scalar field, or None if absent."""
        o = self.t.Offset(_voff(slot))
        return self.pos + o if o else None

    def scalar(self, slot, fmt, default):
        p = self.field_pos(slot)
        if p is None:
            return default
        return struct.unpack_from("<" + fmt, self.buf, p)[0]

    def table(self, slot):
        o = self.t.Offset(_voff(slot))
        if not o:
            return None
        return Table(self.buf, self.t.Indirect(self.pos + o))

    def string(self, slot):
        o = self.t.Offset(_voff(slot))
        if not o:
            return ""
        return self.t.String(self.pos + o).decode("utf-8", "replace")

    def vector(self, slot, fmt):
        o = self.t.Offset(_voff(slot))
        if not o:
            return []
        n = self.t.VectorLen(o)
        start = self.t.Vector(o)
        size = struct.calcsize("<" + fmt)
        if start + n * size > len(self.buf):
            raise FormatError("vector out of range")
        return list(struct.unpack_from("<%d%s" % (n, fmt), self.buf, start))

    def tables(self, slot):
        o = self.t.Offset(_voff(slot))
        if not o:
            return []
        n = self.t.VectorLen(o)
        start = self.t.Vector(o)
        out = []
        for i in range(n):
            p = start + 4 * i
            out.append(Table(self.buf, p + struct.unpack_from(
                "<I", self.buf, p)[0]))
        return out


class TensorInfo:
    def __init__(self, index, t):
        self.index = index
        self.table = t
        self.shape = t.vector(TENSOR_SHAPE, "i")
        self.type = TYPE_NAMES.get(t.scalar(TENSOR_TYPE, "b", 0), "other")
        self.buffer = t.scalar(TENSOR_BUFFER, "I", 0)
        self.name = t.string(TENSOR_NAME)
        self.quant = t.table(TENSOR_QUANTIZATION)
        self.scale = self.quant.vector(QUANT_SCALE, "f") if self.quant else []
        self.zero_point = (self.quant.vector(QUANT_ZERO_POINT, "q")
                           if self.quant else [])
        self.quantized_dimension = (
            self.quant.scalar(QUANT_QUANTIZED_DIMENSION, "i", 0)
            if self.quant else 0)

    @property
    def nbytes(self):
        n = TYPE_SIZE.get(self.type, 0)
        for d in self.shape:
            n *= d
        return n


class ModelInfo:
    """Subgraph 0 of a TFLite model."""

    def __init__(self, buf):
        if len(buf) < 8:
            raise FormatError("file too short")
        root = struct.unpack_from("<I", buf, 0)[0]
        self.buf = buf
        self.model = Table(buf, root)
        self.opcodes = []
        for oc in self.model.tables(MODEL_OPERATOR_CODES):
            dep = oc.scalar(OPCODE_DEPRECATED_BUILTIN_CODE, "b", 0)
            code = oc.scalar(OPCODE_BUILTIN_CODE, "i", 0)
            self.opcodes.append(max(dep, code))
        subgraphs = self.model.tables(MODEL_SUBGRAPHS)
        if not subgraphs:
            raise FormatError("no subgraph")
        sg = subgraphs[0]
        self.tensors = [TensorInfo(i, t)
                        for i, t in enumerate(sg.tables(SUBGRAPH_TENSORS))]
        self.inputs = sg.vector(SUBGRAPH_INPUTS, "i")
        self.outputs = sg.vector(SUBGRAPH_OUTPUTS, "i")
        self.operators = []
        for op in sg.tables(SUBGRAPH_OPERATORS):
            idx = op.scalar(OPERATOR_OPCODE_INDEX, "I", 0)
            if idx >= len(self.opcodes):
                raise FormatError("opcode_index out of range")
            self.operators.append((self.opcodes[idx],
                                   op.vector(OPERATOR_INPUTS, "i"),
                                   op.vector(OPERATOR_OUTPUTS, "i")))


def load(path):
    with open(path, "rb") as f:
        return ModelInfo(bytearray(f.read()))
