#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only OR MIT
"""Patch a COPY of person_detect.tflite so that TFLite 2.14 loads it.

person_detect's depthwise-conv bias tensors are 1-D but carry
quantized_dimension 3; TFLite 2.14 (and Arm NN) refuse that, TFLite Micro
accepts it. This sets exactly those fields to 0, in place, by locating
each bias tensor's QuantizationParameters table and its
quantized_dimension field, then verifies the result: the fields now read
0, and no other byte of the file changed.

  fix_person_detect.py [--expect N] FILE

FILE is modified in place: give it a temporary copy, never the original.
Exit status: 0 patched (or nothing to patch with --expect 0), 1 the file
is not as expected, 2 bad usage.
"""

import argparse
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tflite_fb  # noqa: E402


def find_fields(info):
    """File offsets of the out-of-range quantized_dimension fields of
    DEPTHWISE_CONV_2D bias tensors, and a list of problems."""
    patch, problems = {}, []
    bias_of_dw = set()
    for code, ins, _ in info.operators:
        if code == tflite_fb.DEPTHWISE_CONV_2D and len(ins) > 2 \
                and ins[2] >= 0:
            bias_of_dw.add(ins[2])
    quant_users = {}
    for t in info.tensors:
        if t.quant is not None:
            quant_users.setdefault(t.quant.pos, []).append(t.index)
    for t in info.tensors:
        if t.quant is None or t.quantized_dimension < max(len(t.shape), 1):
            continue
        if t.index not in bias_of_dw or len(t.shape) != 1:
            problems.append("tensor %d '%s' %s has quantized_dimension %d "
                            "but is not a 1-D depthwise bias; not patched"
                            % (t.index, t.name, t.shape,
                               t.quantized_dimension))
            continue
        if len(t.scale) not in (1, t.shape[0]):
            problems.append("tensor %d '%s' has %d scales for %d channels"
                            % (t.index, t.name, len(t.scale), t.shape[0]))
            continue
        users = quant_users[t.quant.pos]
        if any(u not in bias_of_dw for u in users):
            problems.append("tensor %d shares its quantization table with "
                            "tensors %s" % (t.index, users))
            continue
        pos = t.quant.field_pos(tflite_fb.QUANT_QUANTIZED_DIMENSION)
        patch[pos] = t
    return patch, problems


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--expect", type=int, default=14,
                    help="number of fields to patch (default 14; -1: any)")
    ap.add_argument("file", help="a copy of person_detect.tflite")
    args = ap.parse_args(argv)

    with open(args.file, "rb") as f:
        orig = bytes(f.read())
    try:
        info = tflite_fb.ModelInfo(bytearray(orig))
        patch, problems = find_fields(info)
    except (tflite_fb.FormatError, struct.error, IndexError) as e:
        print("fix_person_detect: %s: not a readable model: %s"
              % (args.file, e), file=sys.stderr)
        return 1
    for p in problems:
        print("fix_person_detect: %s" % p, file=sys.stderr)
    if problems:
        return 1
    if args.expect >= 0 and len(patch) != args.expect:
        print("fix_person_detect: found %d depthwise bias fields to patch, "
              "expected %d" % (len(patch), args.expect), file=sys.stderr)
        return 1

    new = bytearray(orig)
    for pos in patch:
        struct.pack_into("<i", new, pos, 0)

    # Verify: re-read, every patched field is 0 and within range, and only
    # the patched 4-byte fields differ from the original.
    check = tflite_fb.ModelInfo(new)
    for pos, t in patch.items():
        c = check.tensors[t.index]
        if c.quantized_dimension != 0 or \
                c.quant.field_pos(tflite_fb.QUANT_QUANTIZED_DIMENSION) != pos:
            print("fix_person_detect: verification failed for tensor %d"
                  % t.index, file=sys.stderr)
            return 1
    allowed = set()
    for pos in patch:
        allowed.update(range(pos, pos + 4))
    diff = [i for i in range(len(orig)) if orig[i] != new[i]]
    if any(i not in allowed for i in diff) or len(new) != len(orig):
        print("fix_person_detect: verification failed: unexpected bytes "
              "changed", file=sys.stderr)
        return 1
    remaining = [t.index for t in check.tensors if t.quant is not None and
                 t.quantized_dimension >= max(len(t.shape), 1)]
    if remaining:
        print("fix_person_detect: tensors %s still out of range" % remaining,
              file=sys.stderr)
        return 1

    with open(args.file, "r+b") as f:
        for pos in sorted(patch):
            f.seek(pos)
            f.write(new[pos:pos + 4])
    print("fix_person_detect: set quantized_dimension 3 -> 0 on %d "
          "depthwise bias tensors: %s" % (
              len(patch), " ".join(str(t.index) for t in
                                   sorted(patch.values(),
                                          key=lambda t: t.index))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
