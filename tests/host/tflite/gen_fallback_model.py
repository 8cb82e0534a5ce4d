#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Models for the delegate's tests, with tests/models/gen_models.py's writer.

OUT_DIR/relu_fallback.tflite: CONV_2D -> DEPTHWISE_CONV_2D -> RELU ->
CONV_2D -> RESHAPE -> FULLY_CONNECTED (int8). libedgenpu has no RELU, so
the delegate should make two partitions around it and leave RELU to TFLite.

OUT_DIR/add_self.tflite: ADD(x, x) -> CONV_2D: one tensor twice among a
node's inputs.

  gen_fallback_model.py OUT_DIR
"""
import os
import random
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "models"))
import gen_models as g  # noqa: E402

# enum BuiltinOperator RELU, and its int8 version (TFLite's op_version).
g.OP.setdefault("RELU", 19)
g.OP_VERSION.setdefault("RELU", 2)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    net = g.Net(random.Random(13), "edgenpu delegate test: RELU fallback")
    x = net.input([1, 8, 8, 3])
    c1 = net.conv2d(x, 8, (3, 3), (1, 1), "SAME", (1, 1), "NONE")
    d1 = net.dwconv(c1, 1, (3, 3), (1, 1), "SAME", (1, 1), "NONE")
    # RELU keeps its input's quantization.
    r = net.activation("relu", d1.shape, d1.scale[0], d1.zero_point[0])
    r.std_steps = d1.std_steps
    net.m.op("RELU", [d1], [r])
    c2 = net.conv2d(r, 4, (1, 1), (1, 1), "VALID", (1, 1), "NONE")
    flat = net.reshape(c2, [1, 8 * 8 * 4])
    net.output(net.fc(flat, 10, "NONE", False))
    with open(os.path.join(sys.argv[1], "relu_fallback.tflite"), "wb") as f:
        f.write(net.m.serialize())

    net = g.Net(random.Random(14), "edgenpu delegate test: ADD(x, x)")
    x = net.input([1, 6, 6, 4])
    a = net.binary("ADD", x, x, "NONE")
    net.output(net.conv2d(a, 4, (3, 3), (1, 1), "SAME", (1, 1), "RELU"))
    with open(os.path.join(sys.argv[1], "add_self.tflite"), "wb") as f:
        f.write(net.m.serialize())


if __name__ == "__main__":
    main()
