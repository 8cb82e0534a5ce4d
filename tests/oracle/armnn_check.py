#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only OR MIT
"""Load generated models with Arm NN's TFLite parser (Debian bookworm:
python3-pyarmnn, libarmnntfliteparser22, libarmnn-cpuref-backend22): a
second, independent reader of the files gen_models.py writes.

  armnn_check.py [--run] MODEL [IN0.bin [EXPECTED0.bin]]

Parses MODEL and optimizes it for the CpuRef backend. With --run, also
runs it on IN0.bin and, given EXPECTED0.bin (TFLite's output), prints
how far Arm NN's output is from it. Arm NN is a speed peer, not an
oracle, so differences are reported, not judged.
Prints one JSON line. Exit: 0 ok, 1 Arm NN failed, 2 bad usage, 77
pyarmnn is not installed.
"""

import argparse
import contextlib
import io
import json
import sys
import time
import warnings


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--run", action="store_true")
    ap.add_argument("model")
    ap.add_argument("input", nargs="?")
    ap.add_argument("expected", nargs="?")
    args = ap.parse_args(argv)
    if args.run and not args.input:
        ap.error("--run needs an input file")
    try:
        # pyarmnn prints a line per parser it lacks; keep stdout clean.
        with contextlib.redirect_stdout(io.StringIO()), \
                contextlib.redirect_stderr(io.StringIO()), \
                warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import numpy as np
            import pyarmnn as ann
    except ImportError as e:
        print(json.dumps({"model": args.model, "status": 77,
                          "error": "pyarmnn not installed: %s" % e}))
        return 77

    res = {"model": args.model, "armnn": ann.ARMNN_VERSION}
    try:
        t0 = time.monotonic()
        parser = ann.ITfLiteParser()
        net = parser.CreateNetworkFromBinaryFile(args.model)
        res["parse_s"] = round(time.monotonic() - t0, 3)
        ins = parser.GetSubgraphInputTensorNames(0)
        outs = parser.GetSubgraphOutputTensorNames(0)
        rt = ann.IRuntime(ann.CreationOptions())
        opt, msgs = ann.Optimize(net, [ann.BackendId("CpuRef")],
                                 rt.GetDeviceSpec(), ann.OptimizerOptions())
        if msgs:
            res["optimize_messages"] = list(msgs)
        nid, _ = rt.LoadNetwork(opt)
        if args.run:
            ib = parser.GetNetworkInputBindingInfo(0, ins[0])
            ob = parser.GetNetworkOutputBindingInfo(0, outs[0])
            with open(args.input, "rb") as f:
                data = np.frombuffer(f.read(), dtype=np.int8)
            it = ann.make_input_tensors([ib], [data])
            ot = ann.make_output_tensors([ob])
            t0 = time.monotonic()
            rt.EnqueueWorkload(nid, it, ot)
            res["run_s"] = round(time.monotonic() - t0, 3)
            out = ann.workload_tensors_to_ndarray(ot)[0].flatten()
            res["output_head"] = [int(v) for v in out[:8]]
            if args.expected:
                with open(args.expected, "rb") as f:
                    ref = np.frombuffer(f.read(), dtype=np.int8)
                diff = np.abs(out.astype(int) - ref.astype(int))
                res["max_abs_diff_vs_tflite"] = int(diff.max())
                res["top1_armnn"] = int(out.argmax())
                res["top1_tflite"] = int(ref.argmax())
    except Exception as e:  # Arm NN raises its own exception types
        res["status"] = 1
        res["error"] = "%s: %s" % (type(e).__name__, e)
        print(json.dumps(res))
        return 1
    res["status"] = 0
    print(json.dumps(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
