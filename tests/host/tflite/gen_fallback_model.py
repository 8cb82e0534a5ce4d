#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A model for the delegate's partition test, with tests/models/gen_models.py's
writer: CONV_2D -> DEPTHWISE_CONV_2D -> RELU -> CONV_2D -> FULLY_CONNECTED
(int8). libedgenpu has no RELU, so the delegate should make two partitions
(the two ops before it, the two after it) and leave RELU to TFLite.

  gen_fallback_model.py OUT.tflite
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
    with open(sys.argv[1], "wb") as f:
        f.write(net.m.serialize())


if __name__ == "__main__":
    main()
